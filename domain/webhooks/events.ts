import { outboxEvents } from '../../db/schema/index';
import type { DbOrTx } from '../../db/client';

/** Every event a subscription can listen to, with what it means for the receiver. */
export const WEBHOOK_EVENT_CATALOGUE = {
  'lead.mql': 'A lead became marketing qualified: it met the MQL thresholds (fit and interest), or a hand-off trigger moved it (then `trigger` names it; `at` is the trigger’s time).',
  'lead.handed_off':
    'A hand-off was routed to an owner: handoffId, trigger (the original one, e.g. demo_request, also after a hold), requestedAt, handedOffAt (when the acceptance and response clocks started), ' +
    'release ({ heldAt, releasedAt, missingFields } when it was held first, else null), the clocks’ due times, the score breakdown and recent activities.',
  'lead.accepted': 'Sales accepted a hand-off: the lead is now SQL.',
  'lead.rejected': 'Sales rejected a hand-off, with a reason code.',
  'lead.recycled': 'The lead went back to Marketing (by hand or after the cadence ran out), with a reason code.',
  'lead.disqualified': 'The lead was disqualified, with a reason code.',
  'lead.stage_changed': 'Any other lifecycle stage change (e.g. SQL → opportunity).',
  'lead.owner_changed': 'A lead changed owner outside routing: its rep left (deactivateUser) or went out of office (fromUserId, toUserId — null when it went back to Marketing — reason, at).',
  'opportunity.won': 'An opportunity reached a WON pipeline stage: the lead became a customer.',
  'sla.breached':
    'An SLA clock (acceptance, response, cadence interval, time in stage) ran out: breachId, clockId, leadId, handoffId, clock, stage, ownerId, startedAt, dueAt, breachedAt, ' +
    'and resolvedAt when the late action itself revealed the breach (the obligation was met late).',
  'nurture.step_due': 'A nurture workflow step is due: the automation tool should send its content.',
} as const;

export type WebhookEventType = keyof typeof WEBHOOK_EVENT_CATALOGUE;
export const WEBHOOK_EVENT_TYPES = Object.keys(WEBHOOK_EVENT_CATALOGUE) as WebhookEventType[];

/** A subscription listing this receives every event type (but not test events sent to others). */
export const ALL_EVENT_TYPES = '*';

/** Sent by `sendTestWebhook` to one subscription only; not subscribable. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

export function isWebhookEventType(value: string): value is WebhookEventType {
  return Object.hasOwn(WEBHOOK_EVENT_CATALOGUE, value);
}

/**
 * Writes an event to the outbox. Call it with the transaction that makes the change, so the event
 * exists if and only if the change committed; the dispatcher fans it out and delivers it later.
 */
export async function emitEvent(
  tx: DbOrTx,
  type: WebhookEventType,
  leadId: string | null,
  payload: Record<string, unknown>,
): Promise<number> {
  const [row] = await tx.insert(outboxEvents).values({ eventType: type, leadId, payload }).returning({ id: outboxEvents.id });
  return row!.id;
}
