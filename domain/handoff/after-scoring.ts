import { sql } from 'drizzle-orm';
import { rows, type DbOrTx } from '../../db/client';
import { loadPolicy } from './context';
import { handOffLeads, type HandoffOutcome } from './handoff';

export interface HandoffRequest {
  leadId: string;
  agreementId: string;
  /** 'mql' for a lead that qualified by score, or the activity type that triggers a hand-off. */
  trigger: string;
  /** When the hand-off happened: the trigger event's time, or now for a score MQL. */
  at?: Date;
}

/** Hands off what the agreement says should be handed off: MQLs (when configured) and triggers. */
export async function handOffQualified(tx: DbOrTx, requests: HandoffRequest[], at: Date): Promise<HandoffOutcome[]> {
  const byAgreement = new Map<string, HandoffRequest[]>();
  for (const r of requests) byAgreement.set(r.agreementId, [...(byAgreement.get(r.agreementId) ?? []), r]);
  const outcomes: HandoffOutcome[] = [];
  for (const [agreementId, list] of byAgreement) {
    const policy = await loadPolicy(tx, agreementId);
    if (!policy) continue;
    const wanted = list.filter((r) =>
      r.trigger === 'retry' ? true : r.trigger === 'mql' ? policy.handoff.handoffOnMql : policy.handoff.triggerActivityTypes.includes(r.trigger),
    );
    // A trigger wins over a plain MQL for the same lead (it says why Sales should call now).
    const unique = new Map<string, HandoffRequest>();
    for (const r of wanted) if (!unique.has(r.leadId) || r.trigger !== 'mql') unique.set(r.leadId, r);
    outcomes.push(...(await handOffLeads(tx, policy, [...unique.values()], at)));
  }
  return outcomes;
}

/**
 * Held hand-offs are tried again: after the lead got the missing information, or when a rep has
 * capacity again. Runs after lead changes and on every scheduler pass.
 */
export async function retryHeldHandoffs(tx: DbOrTx, at: Date, leadIds?: readonly string[], limit = 500): Promise<HandoffOutcome[]> {
  const held = await rows<{ id: string; agreement_id: string }>(
    tx,
    sql`select id, agreement_id from leads where stage = 'mql' and handoff_status = 'held' and agreement_id is not null
      ${leadIds ? sql`and id = any(${`{${leadIds.join(',')}}`}::uuid[])` : sql``}
      order by updated_at limit ${limit}`,
  );
  return handOffQualified(tx, held.map((l) => ({ leadId: l.id, agreementId: l.agreement_id, trigger: 'retry' })), at);
}
