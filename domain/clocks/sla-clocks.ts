import { sql } from 'drizzle-orm';
import { rows, type Db, type DbOrTx } from '../../db/client';
import type { SlaClock } from '../../db/schema/enums';
import type { RevisionPolicy } from '../handoff/context';
import { addBusinessMinutes } from './business-hours';

// SLA clocks on leads: started when the agreement says (hand-off, attempt, stage entry), stopped
// when the lead moves on, and breached by the scheduler when they run out. A breach is resolved
// when the lead moves on.

export async function startClock(
  tx: DbOrTx,
  policy: RevisionPolicy,
  lead: { id: string; ownerId: string | null },
  clock: SlaClock,
  at: Date,
  stage?: string,
): Promise<Date | null> {
  const rule = policy.clocks.find((c) => c.clock === clock && (clock !== 'time_in_stage' || c.stage === stage));
  if (!rule || policy.calendar.hours.length === 0) return null;
  const due = addBusinessMinutes(at, rule.businessMinutes, policy.calendar);
  // One running clock of a kind per lead: a restart replaces it.
  await tx.execute(sql`update sla_clocks set status = 'cancelled', stopped_at = ${at.toISOString()}::timestamptz
    where lead_id = ${lead.id}::uuid and clock = ${clock} and status = 'running'`);
  await tx.execute(sql`insert into sla_clocks (lead_id, rule_id, revision_id, clock, owner_id, status, started_at, due_at)
    values (${lead.id}::uuid, ${rule.id}::uuid, ${policy.revisionId}::uuid, ${clock}, ${lead.ownerId}::uuid, 'running', ${at.toISOString()}::timestamptz, ${due.toISOString()}::timestamptz)`);
  return due;
}

/** Stops running clocks of the given kinds (met in time) and resolves their open breaches. */
export async function stopClocks(tx: DbOrTx, leadId: string, clocks: readonly SlaClock[] | 'all', at: Date): Promise<void> {
  const kinds = clocks === 'all' ? sql`true` : sql`clock = any(${`{${clocks.join(',')}}`}::sla_clock[])`;
  await tx.execute(sql`update sla_clocks set status = 'met', stopped_at = ${at.toISOString()}::timestamptz
    where lead_id = ${leadId}::uuid and status = 'running' and ${kinds}`);
  await tx.execute(sql`update sla_breaches set resolved_at = ${at.toISOString()}::timestamptz
    where lead_id = ${leadId}::uuid and resolved_at is null and ${kinds}`);
}

/**
 * Breaches every running clock that is past due. Safe with several server instances: clocks are
 * claimed with SKIP LOCKED, so each breach is recorded and announced once.
 */
export async function evaluateClocks(db: Db, now = new Date(), limit = 1_000): Promise<number> {
  return db.transaction(async (tx) => {
    const breached = await rows<{ id: number }>(
      tx,
      sql`with due as (
          select id from sla_clocks where status = 'running' and due_at <= ${now.toISOString()}::timestamptz
          order by due_at limit ${limit} for update skip locked),
        marked as (
          update sla_clocks c set status = 'breached' from due where c.id = due.id
          returning c.id, c.lead_id, c.rule_id, c.revision_id, c.clock, c.owner_id, c.due_at),
        recorded as (
          insert into sla_breaches (clock_id, lead_id, rule_id, revision_id, clock, owner_id, due_at, breached_at)
          select id, lead_id, rule_id, revision_id, clock, owner_id, due_at, ${now.toISOString()}::timestamptz from marked
          returning id, lead_id, clock, owner_id, due_at),
        announced as (
          insert into outbox_events (event_type, lead_id, payload)
          select 'sla.breached', lead_id, jsonb_build_object('breachId', id, 'leadId', lead_id, 'clock', clock, 'ownerId', owner_id, 'dueAt', due_at, 'breachedAt', ${now.toISOString()}::timestamptz)
          from recorded returning 1)
      select id from recorded`,
    );
    return breached.length;
  });
}
