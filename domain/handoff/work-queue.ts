import { sql } from 'drizzle-orm';
import { rows, type DbOrTx } from '../../db/client';
import { pgArray } from '../../db/pg-array';
import type { LifecycleStage, SlaClock } from '../../db/schema/enums';
import { clockOpenSql, clockOverdueSql } from '../clocks/verdict';

// Readers of the clocks for people: a rep's work queue and the stuck-lead list. Both read the open
// clocks (running, or breached and not yet resolved) with the same overdue rule as the KPIs
// (domain/clocks/verdict.ts), so a breach the scheduler recorded and one it has not reached yet
// look the same.

export interface QueueItem {
  leadId: string;
  /** Due time of the lead's most urgent open clock. */
  dueAt: Date | null;
  dueClock: SlaClock | null;
  overdue: boolean;
  /** Minutes past the due time (wall clock), when overdue. */
  minutesOverdue: number | null;
}

/**
 * A rep's leads with Sales (MQL, SQL, opportunity), most urgent first: open obligations past their
 * due time (most late first), then the next due, then hotter and higher-scored leads. `owners` null
 * means every rep's.
 */
export async function workQueue(db: DbOrTx, options: { owners: string[] | null; limit: number; now?: Date }): Promise<QueueItem[]> {
  const now = sql`${(options.now ?? new Date()).toISOString()}::timestamptz`;
  const found = await rows<{ lead_id: string; due_at: string | null; clock: SlaClock | null; overdue: boolean | null }>(
    db,
    sql`select l.id as lead_id, q.due_at, q.clock, q.overdue
      from leads l
      left join lateral (
        select c.due_at, c.clock, ${clockOverdueSql('c', now)} as overdue
        from sla_clocks c where c.lead_id = l.id and ${clockOpenSql('c')}
        order by c.due_at, c.id limit 1) q on true
      where l.stage in ('mql', 'sql', 'opportunity')
        and ${options.owners ? sql`l.owner_id = any(${pgArray(options.owners)}::uuid[])` : sql`l.owner_id is not null`}
      order by q.due_at asc nulls last, case l.temperature when 'hot' then 0 when 'warm' then 1 else 2 end,
        l.fit_score + l.interest_score desc, l.id
      limit ${options.limit}`,
  );
  const nowMs = (options.now ?? new Date()).getTime();
  return found.map((r) => {
    const dueAt = r.due_at ? new Date(r.due_at) : null;
    const overdue = !!r.overdue;
    return {
      leadId: r.lead_id,
      dueAt,
      dueClock: r.clock,
      overdue,
      minutesOverdue: overdue && dueAt ? Math.max(0, Math.floor((nowMs - dueAt.getTime()) / 60_000)) : null,
    };
  });
}

export interface StuckLead {
  leadId: string;
  clockId: number;
  stage: LifecycleStage;
  ownerId: string | null;
  enteredStageAt: Date;
  dueAt: Date;
  /** Recorded by the scheduler (true) or past due and not reached by a pass yet (false). */
  breachRecorded: boolean;
  hoursInStage: number;
  hoursOverdue: number;
}

export interface StuckLeadFilter {
  owners?: string[] | null;
  stages?: LifecycleStage[] | null;
  now?: Date;
}

/**
 * Leads past their stage's time limit (the article's "time in stage"): an open time-in-stage clock
 * past its due time, longest overdue first.
 */
export function stuckLeadsWhere(filter: StuckLeadFilter) {
  const now = sql`${(filter.now ?? new Date()).toISOString()}::timestamptz`;
  return sql`c.clock = 'time_in_stage' and ${clockOverdueSql('c', now)} and l.stage = c.stage
    ${filter.owners ? sql`and l.owner_id = any(${pgArray(filter.owners)}::uuid[])` : sql``}
    ${filter.stages?.length ? sql`and l.stage = any(${pgArray(filter.stages)}::lifecycle_stage[])` : sql``}`;
}

export async function stuckLeads(
  db: DbOrTx,
  filter: StuckLeadFilter & { limit: number; after?: { dueAt: Date; clockId: number } | null },
): Promise<StuckLead[]> {
  const now = (filter.now ?? new Date()).toISOString();
  const found = await rows<{ lead_id: string; id: number; stage: LifecycleStage; owner_id: string | null; started_at: string; due_at: string; status: string }>(
    db,
    sql`select c.lead_id, c.id, l.stage, l.owner_id, c.started_at, c.due_at, c.status
      from sla_clocks c join leads l on l.id = c.lead_id
      where ${stuckLeadsWhere(filter)}
        ${filter.after ? sql`and (c.due_at, c.id) > (${filter.after.dueAt.toISOString()}::timestamptz, ${filter.after.clockId})` : sql``}
      order by c.due_at, c.id
      limit ${filter.limit}`,
  );
  const nowMs = Date.parse(now);
  return found.map((r) => ({
    leadId: r.lead_id,
    clockId: Number(r.id),
    stage: r.stage,
    ownerId: r.owner_id,
    enteredStageAt: new Date(r.started_at),
    dueAt: new Date(r.due_at),
    breachRecorded: r.status === 'breached',
    hoursInStage: (nowMs - Date.parse(r.started_at)) / 3_600_000,
    hoursOverdue: (nowMs - Date.parse(r.due_at)) / 3_600_000,
  }));
}

export interface StuckGroup {
  stage: LifecycleStage;
  ownerId: string | null;
  leads: number;
  longestOverdueHours: number;
}

/** Stuck leads counted by stage and owner. */
export async function stuckLeadGroups(db: DbOrTx, filter: StuckLeadFilter): Promise<StuckGroup[]> {
  const now = (filter.now ?? new Date()).toISOString();
  const found = await rows<{ stage: LifecycleStage; owner_id: string | null; n: number; oldest: string }>(
    db,
    sql`select l.stage, l.owner_id, count(*)::int as n, min(c.due_at) as oldest
      from sla_clocks c join leads l on l.id = c.lead_id
      where ${stuckLeadsWhere(filter)}
      group by 1, 2 order by 1, 3 desc, 2 nulls first`,
  );
  return found.map((r) => ({ stage: r.stage, ownerId: r.owner_id, leads: Number(r.n), longestOverdueHours: (Date.parse(now) - Date.parse(r.oldest)) / 3_600_000 }));
}
