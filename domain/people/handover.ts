import { sql } from 'drizzle-orm';
import { rows, type DbOrTx } from '../../db/client';
import { pgArray } from '../../db/pg-array';
import { leads } from '../../db/schema/index';
import { ConflictError, ValidationError } from '../errors';
import { loadPolicy, type RevisionPolicy } from '../handoff/context';
import { Router } from '../handoff/routing';
import { applyMove } from '../leads/stage';

// Handing a rep's leads on: when the rep leaves (deactivateUser, by the rule the admin chooses) or is
// out of office (the agreement's rule: the backup, or routing). Every change of owner is a row of
// ownership_changes with a lead.owner_changed event; a lead sent back to Marketing is a stage move
// (recycled, with its reason) like any other. Whatever cannot be placed makes the whole call refuse
// (when asked to), so nothing is left half done.

export type HandoverRule = { to: 'routing' } | { to: 'rep'; userId: string } | { to: 'marketing'; reasonCode: string };

type LeadRow = typeof leads.$inferSelect;

export interface HandoverResult {
  /** Leads with Sales that got a new owner. */
  reassigned: number;
  /** Leads sent back to Marketing. */
  recycled: number;
  /** Leads that could not be placed (no rep with capacity), left with their owner. */
  unplaced: string[];
}

interface OwnerChange {
  leadId: string;
  from: string | null;
  to: string | null;
}

/** Writes owner changes everywhere the owner shows: lead, open hand-off, open clocks, open opportunities, audit, event. */
export async function changeOwners(
  tx: DbOrTx,
  changes: OwnerChange[],
  input: { reason: string; actorUserId: string | null; at: Date },
): Promise<void> {
  if (changes.length === 0) return;
  const at = input.at.toISOString();
  const list = sql`unnest(${pgArray(changes.map((c) => c.leadId))}::uuid[], ${pgArray(changes.map((c) => c.from))}::uuid[], ${pgArray(changes.map((c) => c.to))}::uuid[]) as v(lead_id, from_id, to_id)`;
  await tx.execute(sql`with v as (select * from ${list}),
    l as (update leads l set owner_id = v.to_id, version = l.version + 1, updated_at = ${at}::timestamptz from v where l.id = v.lead_id returning 1),
    h as (update handoffs h set owner_id = v.to_id from v where h.lead_id = v.lead_id and h.state = 'routed' returning 1),
    c as (update sla_clocks c set owner_id = v.to_id from v where c.lead_id = v.lead_id
            and (c.status = 'running' or (c.status = 'breached' and c.stopped_at is null)) and c.clock <> 'time_in_stage' returning 1),
    o as (update opportunities o set owner_id = v.to_id, updated_at = ${at}::timestamptz from v
            where o.lead_id = v.lead_id and o.status = 'open' and o.owner_id is not distinct from v.from_id returning 1),
    a as (insert into ownership_changes (lead_id, from_user_id, to_user_id, reason, actor_type, actor_user_id, occurred_at)
            select v.lead_id, v.from_id, v.to_id, ${input.reason}, ${input.actorUserId ? 'user' : 'system'}::actor_type, ${input.actorUserId}::uuid, ${at}::timestamptz
            from v order by v.lead_id returning 1)
    insert into outbox_events (event_type, lead_id, payload)
    select 'lead.owner_changed', v.lead_id, jsonb_build_object('leadId', v.lead_id, 'fromUserId', v.from_id, 'toUserId', v.to_id, 'reason', ${input.reason}::text, 'at', ${at}::timestamptz)
    from v order by v.lead_id`);
}

/**
 * Hands on the rep's open leads (with Sales: MQL, SQL, opportunity) — all of them, or those given.
 * `strict`: refuse (ConflictError) when some lead cannot be placed.
 */
export async function handOverLeads(
  tx: DbOrTx,
  input: { fromUserId: string; rule: HandoverRule; actorUserId: string | null; at: Date; reason: string; leadIds?: readonly string[]; strict: boolean },
): Promise<HandoverResult> {
  const open = await rows<Record<string, unknown> & { id: string; agreement_id: string | null }>(
    tx,
    sql`select * from leads where owner_id = ${input.fromUserId}::uuid and stage in ('mql', 'sql', 'opportunity')
      ${input.leadIds ? sql`and id = any(${pgArray([...input.leadIds])}::uuid[])` : sql``}
      order by id for update`,
  );
  const result: HandoverResult = { reassigned: 0, recycled: 0, unplaced: [] };
  if (open.length === 0) return result;
  const policies = new Map<string, RevisionPolicy | null>();
  const policyOf = async (agreementId: string | null) => {
    if (!agreementId) return null;
    if (!policies.has(agreementId)) policies.set(agreementId, await loadPolicy(tx, agreementId));
    return policies.get(agreementId)!;
  };

  if (input.rule.to === 'marketing') {
    const reasonCode = input.rule.reasonCode;
    for (const row of open) {
      const policy = await policyOf(row.agreement_id);
      if (!policy) throw new ConflictError(`lead ${row.id} is not covered by an active agreement, so it cannot be sent back to Marketing`);
      const [current] = await tx.select().from(leads).where(sql`${leads.id} = ${row.id}::uuid`);
      try {
        await applyMove(tx, current as LeadRow, policy, { to: 'recycled', actorType: 'system', reasonCode, reason: input.reason, at: input.at, recycleTrigger: 'manual' });
      } catch (error) {
        if (error instanceof ValidationError) {
          throw new ValidationError(error.problems.map((p) => ({ ...p, field: 'input.handover.reasonCode', message: `lead ${row.id}: ${p.message}` })));
        }
        throw error;
      }
      result.recycled++;
    }
    // Back with Marketing, the leads keep no owner (the rep is gone or away).
    await changeOwners(tx, open.map((l) => ({ leadId: l.id, from: input.fromUserId, to: null })), input);
    return result;
  }

  const changes: OwnerChange[] = [];
  if (input.rule.to === 'rep') {
    for (const l of open) changes.push({ leadId: l.id, from: input.fromUserId, to: input.rule.userId });
  } else {
    const byAgreement = new Map<string | null, typeof open>();
    for (const l of open) byAgreement.set(l.agreement_id, [...(byAgreement.get(l.agreement_id) ?? []), l]);
    for (const [agreementId, list] of byAgreement) {
      const policy = await policyOf(agreementId);
      const router = policy ? await Router.load(tx, policy, input.at) : null;
      for (const l of list) {
        const to = router?.next(input.fromUserId) ?? null;
        if (to) changes.push({ leadId: l.id, from: input.fromUserId, to });
        else result.unplaced.push(l.id);
      }
    }
    if (input.strict && result.unplaced.length) {
      throw new ConflictError(
        `routing cannot place ${result.unplaced.length} of the ${open.length} open leads (no other active rep with capacity in their agreements' pools): add capacity, or hand them to a named rep`,
      );
    }
  }
  await changeOwners(tx, changes, input);
  result.reassigned = changes.length;
  return result;
}
