import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { outboxEvents, webhookDeliveries, webhookSubscriptions } from '../../db/schema/index';
import { ConflictError, NotFoundError } from '../errors';
import { WEBHOOK_TEST_EVENT } from './events';

export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;

function deliveryId(id: string): number {
  const n = Number(id);
  if (!/^\d+$/.test(id) || !Number.isSafeInteger(n) || n <= 0) throw new NotFoundError('WebhookDelivery', id);
  return n;
}

/**
 * Puts a FAILED delivery back in the queue, due now, with a fresh round of attempts (its attempt
 * log keeps the earlier ones). Pending and delivered deliveries are refused: the first will be
 * tried anyway, the second was acknowledged.
 */
export async function retryDelivery(db: Db, id: string): Promise<WebhookDeliveryRow> {
  const key = deliveryId(id);
  const [row] = await db
    .update(webhookDeliveries)
    .set({ status: 'pending', attempts: 0, nextAttemptAt: sql`now()`, deliveredAt: null })
    .where(and(eq(webhookDeliveries.id, key), eq(webhookDeliveries.status, 'failed')))
    .returning();
  if (row) return row;
  const [current] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, key));
  if (!current) throw new NotFoundError('WebhookDelivery', id);
  throw new ConflictError(
    current.status === 'delivered'
      ? 'the delivery was already acknowledged by the receiver'
      : 'the delivery is still pending: it will be attempted at its next attempt time',
  );
}

/**
 * Queues a `webhook.test` event for one subscription only (even a paused one), so an admin can
 * check the receiver and its signature check. The event is written already dispatched: fan-out
 * never sends it to anyone else.
 */
export async function sendTestEvent(db: Db, subscriptionId: string, actor: { userId: string } | null): Promise<WebhookDeliveryRow> {
  return db.transaction(async (tx) => {
    const [subscription] = await tx.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, subscriptionId));
    if (!subscription) throw new NotFoundError('WebhookSubscription', subscriptionId);
    const [event] = await tx
      .insert(outboxEvents)
      .values({
        eventType: WEBHOOK_TEST_EVENT,
        leadId: null,
        payload: { subscriptionId, message: 'A test event sent by an admin; nothing happened to any lead.', sentByUserId: actor?.userId ?? null },
        dispatchedAt: sql`now()`,
      })
      .returning({ id: outboxEvents.id });
    const [delivery] = await tx.insert(webhookDeliveries).values({ eventId: event!.id, subscriptionId }).returning();
    return delivery!;
  });
}
