import { sql, type SQL } from 'drizzle-orm';
import { rows, type Db, type DbOrTx } from '../../db/client';
import type { LifecycleStage, SlaClock } from '../../db/schema/enums';
import type { RevisionPolicy } from '../handoff/context';
import { addBusinessMinutes, type BusinessCalendar } from './business-hours';
import { pgArray } from '../../db/pg-array';

// SLA clocks on leads, as a small state machine:
//
//   running ──(stopped in time)──▶ met | cancelled
//      │
//      └─(past due: the scheduler's pass, or a stop that came late)──▶ breached ──(stopped)──▶ resolved
//
// A breached clock stays open (stopped_at null) until the obligation ends; that is when its breach is
// resolved. At most one clock of a kind runs per lead (a partial unique index), and starting one that
// runs already changes nothing, so retries and repeated passes are idempotent. Every breach, whether
// found by the scheduler or by a stop that came after the due time, is recorded once with its
// sla.breached event.
//
// What ends which clock is written once, here (CLOCK_ENDINGS); the hand-off, sales and stage code
// call `endClocks` with the event that happened.

/** The events that end clocks, and what each does to each kind. */
export const CLOCK_ENDINGS = {
  /** A contact attempt: meets the response clock and the cadence interval. */
  contactAttempt: { met: ['response', 'cadence_interval'] },
  /** An attempt whose outcome ends the follow-up obligation (the cadence's ending outcomes). */
  cadenceEnded: { cancelled: ['cadence_interval'] },
  /** The lead leaves MQL (accepted, rejected, recycled, moved): the acceptance clock is met. */
  leftMql: { met: ['acceptance'] },
  /**
   * The lead leaves Sales (recycled, disqualified, back to lead, customer): nothing is left to
   * answer or follow up, so response and cadence clocks are cancelled; acceptance is met.
   */
  leftSales: { met: ['acceptance'], cancelled: ['response', 'cadence_interval'] },
} as const satisfies Record<string, { met?: readonly SlaClock[]; cancelled?: readonly SlaClock[] }>;

/** Stages where the lead is with Sales: leaving them for any other ends Sales' obligations. */
export const SALES_STAGES: readonly LifecycleStage[] = ['mql', 'sql', 'opportunity'];

export interface ClockStart {
  leadId: string;
  ownerId: string | null;
  at: Date;
  handoffId?: string | null;
  /** For time_in_stage: the stage entered. */
  stage?: LifecycleStage | null;
  /** Another calendar than the agreement's: the owner's, when the response clock follows the owner. */
  calendar?: BusinessCalendar;
}

/**
 * Starts a clock of one kind on each lead, when the revision has a rule for it (time in stage: for
 * that stage). A lead whose clock of that kind runs already keeps it. Returns the due time of each
 * clock started, by lead.
 */
export async function startClocks(tx: DbOrTx, policy: RevisionPolicy, kind: SlaClock, starts: ClockStart[]): Promise<Map<string, Date>> {
  const started = new Map<string, Date>();
  if (starts.length === 0 || policy.calendar.hours.length === 0) return started;
  const values: { start: ClockStart; ruleId: string; due: Date }[] = [];
  const dues = new Map<string, Date>();
  for (const start of starts) {
    const rule = policy.clocks.find((c) => c.clock === kind && (kind !== 'time_in_stage' || c.stage === start.stage));
    if (!rule) continue;
    const calendar = start.calendar ?? policy.calendar;
    const cacheKey = `${rule.id}@${start.at.getTime()}@${start.calendar ? start.leadId : ''}`;
    let due = dues.get(cacheKey);
    if (!due) dues.set(cacheKey, (due = addBusinessMinutes(start.at, rule.businessMinutes, calendar)));
    values.push({ start, ruleId: rule.id, due });
  }
  if (values.length === 0) return started;
  const inserted = await rows<{ lead_id: string; due_at: Date }>(
    tx,
    sql`insert into sla_clocks (lead_id, rule_id, revision_id, clock, handoff_id, stage, owner_id, status, started_at, due_at)
      select v.lead_id, v.rule_id, ${policy.revisionId}::uuid, ${kind}::sla_clock, v.handoff_id, v.stage::lifecycle_stage, v.owner_id, 'running', v.started_at, v.due_at
      from unnest(${pgArray(values.map((v) => v.start.leadId))}::uuid[], ${pgArray(values.map((v) => v.ruleId))}::uuid[],
        ${pgArray(values.map((v) => v.start.handoffId ?? null))}::uuid[], ${pgArray(values.map((v) => (kind === 'time_in_stage' ? (v.start.stage ?? null) : null)))}::text[],
        ${pgArray(values.map((v) => v.start.ownerId))}::uuid[], ${pgArray(values.map((v) => v.start.at.toISOString()))}::timestamptz[],
        ${pgArray(values.map((v) => v.due.toISOString()))}::timestamptz[])
        as v(lead_id, rule_id, handoff_id, stage, owner_id, started_at, due_at)
      order by v.lead_id
      on conflict (lead_id, clock) where status = 'running' do nothing
      returning lead_id, due_at`,
  );
  for (const row of inserted) started.set(row.lead_id, new Date(row.due_at));
  return started;
}

export async function startClock(tx: DbOrTx, policy: RevisionPolicy, kind: SlaClock, start: ClockStart): Promise<Date | null> {
  return (await startClocks(tx, policy, kind, [start])).get(start.leadId) ?? null;
}

/** The sla.breached payload of a breach row `b` joined with its clock `c`. */
function breachPayload(b: string, c: string): SQL {
  const col = (alias: string, name: string) => sql.raw(`${alias}.${name}`);
  return sql`jsonb_build_object('breachId', ${col(b, 'id')}, 'clockId', ${col(c, 'id')}, 'leadId', ${col(c, 'lead_id')},
    'handoffId', ${col(c, 'handoff_id')}, 'clock', ${col(c, 'clock')}, 'stage', ${col(c, 'stage')}, 'ownerId', ${col(c, 'owner_id')},
    'startedAt', ${col(c, 'started_at')}, 'dueAt', ${col(c, 'due_at')}, 'breachedAt', ${col(b, 'breached_at')}, 'resolvedAt', ${col(b, 'resolved_at')})`;
}

/**
 * Ends the open clocks of the given kinds on the given leads at their instant: a running clock is
 * met or cancelled, or, when the stop came after its due time, breached (its breach recorded and
 * announced now) and resolved at once; a breached clock is resolved. One statement for any number
 * of leads.
 */
export async function endClocks(
  tx: DbOrTx,
  stops: { leadId: string; at: Date }[],
  ending: { met?: readonly SlaClock[]; cancelled?: readonly SlaClock[] },
): Promise<void> {
  const met = ending.met ?? [];
  const cancelled = ending.cancelled ?? [];
  if (stops.length === 0 || met.length + cancelled.length === 0) return;
  await tx.execute(sql`with stop as (
      select * from unnest(${pgArray(stops.map((s) => s.leadId))}::uuid[], ${pgArray(stops.map((s) => s.at.toISOString()))}::timestamptz[]) as s(lead_id, at)),
    open as (
      -- A stop is never before the clock started; a breach already recorded is resolved no earlier
      -- than it was recorded (a late-logged action does not undo a breach announced meanwhile).
      select c.id, c.status, c.due_at,
        greatest(s.at, c.started_at, (select b.breached_at from sla_breaches b where b.clock_id = c.id)) as at,
        case when c.clock = any(${pgArray([...met])}::sla_clock[]) then 'met' else 'cancelled' end::clock_status as outcome
      from sla_clocks c join stop s on s.lead_id = c.lead_id
      where c.clock = any(${pgArray([...met, ...cancelled])}::sla_clock[])
        and (c.status = 'running' or (c.status = 'breached' and c.stopped_at is null))
      order by c.id
      for update of c),
    ended as (
      update sla_clocks c set
        status = case when o.status = 'running' and o.due_at >= o.at then o.outcome else 'breached'::clock_status end,
        stopped_at = o.at
      from open o where c.id = o.id
      returning c.*, o.status as was),
    resolved as (
      update sla_breaches b set resolved_at = e.stopped_at from ended e
      where b.clock_id = e.id and e.was = 'breached' and b.resolved_at is null
      returning b.id),
    late as (
      insert into sla_breaches (clock_id, lead_id, rule_id, revision_id, clock, owner_id, due_at, breached_at, resolved_at)
      select id, lead_id, rule_id, revision_id, clock, owner_id, due_at, stopped_at, stopped_at from ended
      where was = 'running' and status = 'breached'
      returning *)
    insert into outbox_events (event_type, lead_id, payload)
    select 'sla.breached', c.lead_id, ${breachPayload('b', 'c')}
    from late b join ended c on c.id = b.clock_id`);
}

/**
 * Breaches every running clock past its due time (due_at < now). Safe with several server
 * instances: clocks are claimed with SKIP LOCKED, so each breach is recorded and announced once.
 */
export async function evaluateClocks(db: Db, now = new Date(), limit = 1_000): Promise<number> {
  return db.transaction(async (tx) => {
    const breached = await rows<{ id: number }>(
      tx,
      sql`with due as (
          select id from sla_clocks where status = 'running' and due_at < ${now.toISOString()}::timestamptz
          order by due_at limit ${limit} for update skip locked),
        marked as (
          update sla_clocks c set status = 'breached' from due where c.id = due.id
          returning c.*),
        recorded as (
          insert into sla_breaches (clock_id, lead_id, rule_id, revision_id, clock, owner_id, due_at, breached_at)
          select id, lead_id, rule_id, revision_id, clock, owner_id, due_at, ${now.toISOString()}::timestamptz from marked
          returning *),
        announced as (
          insert into outbox_events (event_type, lead_id, payload)
          select 'sla.breached', c.lead_id, ${breachPayload('b', 'c')}
          from recorded b join marked c on c.id = b.clock_id returning 1)
      select id from recorded`,
    );
    return breached.length;
  });
}
