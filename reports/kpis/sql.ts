import { sql, type SQL } from 'drizzle-orm';
import { clockVerdictSql } from '../../domain/clocks/verdict';
import type { KpiFilters } from './types';

// SQL fragments shared by several KPIs, so that a rule (a period, a hand-off, an MQL entry, business
// minutes) is written once. Each KPI still runs as exactly one statement: fragments are inlined.

const DAY_MS = 86_400_000;

/** Start of the period: `from` at 00:00 UTC. */
export function periodStart(f: KpiFilters): SQL {
  return sql`(${f.from}::date::timestamp at time zone 'UTC')`;
}

/** End of the period, exclusive: the day after `to` at 00:00 UTC. */
export function periodEnd(f: KpiFilters): SQL {
  return sql`((${f.to}::date + 1)::timestamp at time zone 'UTC')`;
}

/** Half-open [from, to + 1 day) on an event's own time column. */
export function inPeriod(column: SQL, f: KpiFilters): SQL {
  return sql`(${column} >= ${periodStart(f)} and ${column} < ${periodEnd(f)})`;
}

/**
 * The agreement / source / owner filters on the leads table aliased `l`; `owner` names the column
 * the owner filter applies to (a hand-off's own owner, say), the lead's owner by default.
 */
export function leadFilter(f: KpiFilters, owner: SQL = sql`l.owner_id`): SQL {
  const parts: SQL[] = [];
  if (f.agreementId) parts.push(sql`l.agreement_id = ${f.agreementId}::uuid`);
  if (f.source) parts.push(sql`l.source = ${f.source}`);
  if (f.ownerId) parts.push(sql`${owner} = ${f.ownerId}::uuid`);
  return parts.length ? sql`(${sql.join(parts, sql` and `)})` : sql`true`;
}

/** Days in the period, both ends included. */
export function periodDays(f: KpiFilters): number {
  return Math.round((Date.parse(`${f.to}T00:00:00Z`) - Date.parse(`${f.from}T00:00:00Z`)) / DAY_MS) + 1;
}

/** Trend grain: weeks for a period up to about two months, calendar months beyond. */
export function grainOf(f: KpiFilters): 'week' | 'month' {
  return periodDays(f) > 62 ? 'month' : 'week';
}

/** The bucket (first day of the ISO week or month, UTC) of a timestamp column. */
export function bucketOf(column: SQL, f: KpiFilters): SQL {
  // A literal, not a parameter: the same expression must appear in SELECT and GROUP BY.
  return sql`(date_trunc(${sql.raw(`'${grainOf(f)}'`)}, ${column} at time zone 'UTC')::date)`;
}

/**
 * Business minutes between two instants under a revision's business hours and holidays, in its
 * time zone (DST-correct: local window edges are converted with AT TIME ZONE). A revision without
 * business hours counts wall-clock minutes. Spans are capped at 60 days to bound the work per row;
 * any SLA shorter than that is judged exactly.
 */
export function businessMinutes(start: SQL, end: SQL, revisionId: SQL, timeZone: SQL): SQL {
  const capped = sql`least(${end}, ${start} + interval '60 days')`;
  return sql`(select case
      when not exists (select 1 from business_hours bh0 where bh0.revision_id = ${revisionId})
        then extract(epoch from (${capped} - ${start})) / 60
      else coalesce(sum(greatest(0, extract(epoch from (least(${capped}, w.w_end) - greatest(${start}, w.w_start))) / 60)), 0)
    end
    from (
      select ((d.d + make_interval(mins => bh.start_minute)) at time zone ${timeZone}) as w_start,
             ((d.d + make_interval(mins => bh.end_minute)) at time zone ${timeZone}) as w_end
      from generate_series((${start} at time zone ${timeZone})::date::timestamp,
                           (${capped} at time zone ${timeZone})::date::timestamp, interval '1 day') as d(d)
      join business_hours bh on bh.revision_id = ${revisionId} and bh.weekday = extract(isodow from d.d)
      where not exists (select 1 from holidays hd where hd.revision_id = ${revisionId} and hd.day = d.d::date)
    ) w)`;
}

/**
 * CTEs `handoff_rows` and `sales_handoffs`: every hand-off Sales got in the period (handoffs.handed_off_at:
 * the request, or the release of a held hand-off; domain/handoff/handoff.ts), with its response and
 * acceptance clocks and their verdicts (domain/clocks/verdict.ts). The KPIs count what the clocks
 * say, so they agree with the breaches, the work queue and the webhooks by construction. The owner
 * filter applies to the rep the hand-off went to.
 * Columns: handoff_id, lead_id, owner_id, handed_off_at, next_handoff_at, revision_id, time_zone,
 * response_sla_minutes, acceptance_sla_minutes, response_clock_verdict, acceptance_clock_verdict
 * (null without a clock), first_contact_at, response_stopped_at, decided_at,
 * response_business_minutes and decision_business_minutes (both measured to now() while open).
 */
export function handoffCtes(f: KpiFilters): SQL {
  return sql`handoff_rows as (
    select h.id as handoff_id, h.lead_id, h.owner_id, h.handed_off_at, h.revision_id, rev.time_zone,
      (select min(n.handed_off_at) from handoffs n where n.lead_id = h.lead_id and n.handed_off_at > h.handed_off_at) as next_handoff_at,
      rr.business_minutes as response_sla_minutes,
      ar.business_minutes as acceptance_sla_minutes,
      case when rc.id is not null then ${clockVerdictSql('rc')} end as response_clock_verdict,
      case when ac.id is not null then ${clockVerdictSql('ac')} end as acceptance_clock_verdict,
      h.first_contact_at,
      coalesce(rc.stopped_at, h.first_contact_at) as response_stopped_at,
      h.decided_at
    from handoffs h
    join leads l on l.id = h.lead_id
    join agreement_revisions rev on rev.id = h.revision_id
    left join sla_clocks rc on rc.handoff_id = h.id and rc.clock = 'response'
    left join sla_clock_rules rr on rr.id = rc.rule_id
    left join sla_clocks ac on ac.handoff_id = h.id and ac.clock = 'acceptance'
    left join sla_clock_rules ar on ar.id = ac.rule_id
    where ${inPeriod(sql`h.handed_off_at`, f)} and ${leadFilter(f, sql`h.owner_id`)}
  ),
  -- Materialized: the business minutes are read several times; inlined, PostgreSQL would recompute
  -- the per-day subqueries for every reference.
  sales_handoffs as materialized (
    select hr.*,
      ${businessMinutes(sql`hr.handed_off_at`, sql`coalesce(hr.response_stopped_at, now())`, sql`hr.revision_id`, sql`hr.time_zone`)} as response_business_minutes,
      ${businessMinutes(sql`hr.handed_off_at`, sql`coalesce(hr.decided_at, now())`, sql`hr.revision_id`, sql`hr.time_zone`)} as decision_business_minutes
    from handoff_rows hr
  )`;
}

/**
 * The response verdict of a row of `sales_handoffs` (aliased h), from its response clock: 'within'
 * (contacted in time), 'breached' (ran out before a contact or a return to Marketing, recorded or
 * not yet), 'closed' (returned to Marketing in time without a contact: the clock was cancelled),
 * 'pending' (time left), 'no_sla' (no response clock: the revision has no response rule).
 */
export const responseVerdict = sql`(case coalesce(h.response_clock_verdict, 'no_sla')
    when 'cancelled' then 'closed' else coalesce(h.response_clock_verdict, 'no_sla') end)`;

/** Same for the acceptance clock: Sales accepts (→ SQL) or rejects within the SLA. */
export const acceptanceVerdict = sql`(case coalesce(h.acceptance_clock_verdict, 'no_sla')
    when 'cancelled' then 'closed' else coalesce(h.acceptance_clock_verdict, 'no_sla') end)`;

/**
 * CTEs `mql_entries` and `mql_outcomes`: each lead's first MQL transition in the period (per bucket
 * when `bucketed`), and whether it then reached SQL (accepted), was rejected by a user (mql →
 * recycled/disqualified, counted only when it never reached SQL), or led to a won opportunity.
 */
export function mqlOutcomeCtes(f: KpiFilters, bucketed = false): SQL {
  const bucket = bucketed ? sql`${bucketOf(sql`st.occurred_at`, f)}` : sql`null::date`;
  return sql`mql_entries as (
    select st.lead_id, ${bucket} as bucket, min(st.occurred_at) as mql_at
    from stage_transitions st join leads l on l.id = st.lead_id
    where st.to_stage = 'mql' and ${inPeriod(sql`st.occurred_at`, f)} and ${leadFilter(f)}
    group by 1, 2
  ),
  mql_outcomes as (
    select m.lead_id, m.bucket, m.mql_at,
      exists (select 1 from stage_transitions s where s.lead_id = m.lead_id and s.to_stage = 'sql'
              and s.occurred_at >= m.mql_at) as accepted,
      exists (select 1 from stage_transitions s where s.lead_id = m.lead_id and s.from_stage = 'mql'
              and s.to_stage in ('recycled', 'disqualified') and s.actor_type = 'user'
              and s.occurred_at >= m.mql_at) as rejected_once,
      exists (select 1 from opportunities o where o.lead_id = m.lead_id and o.status = 'won'
              and o.closed_at >= m.mql_at) as won
    from mql_entries m
  )`;
}

/** The wording of a move without a reason code, everywhere. */
export const NO_REASON = '(no reason)';

/**
 * A reason code's label as the revision in force at the move wrote it (`revisionId`), preferring
 * the kinds in order (e.g. reject, then disqualify); else the code itself; else "(no reason)".
 */
export function reasonLabel(code: SQL, revisionId: SQL, kinds: readonly ('reject' | 'recycle' | 'disqualify')[]): SQL {
  return sql`coalesce((select rc.label from reason_codes rc where rc.code = ${code} and rc.revision_id = ${revisionId}
     order by coalesce(array_position(${`{${kinds.join(',')}}`}::reason_kind[], rc.kind), 99), rc.label limit 1), ${code}, ${NO_REASON})`;
}
