import { sql, type SQL } from 'drizzle-orm';
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

/** The agreement / source / owner filters on the leads table aliased `l`. */
export function leadFilter(f: KpiFilters): SQL {
  const parts: SQL[] = [];
  if (f.agreementId) parts.push(sql`l.agreement_id = ${f.agreementId}::uuid`);
  if (f.source) parts.push(sql`l.source = ${f.source}`);
  if (f.ownerId) parts.push(sql`l.owner_id = ${f.ownerId}::uuid`);
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
 * CTEs `handoff_times`, `handoff_rows` and `handoffs`: every hand-off in the period with its SLA rules,
 * first contact and first decision. Each transition to mql is a hand-off (a lead that re-qualifies is
 * handed off again); it is timed at leads.handed_off_at when that lies between this MQL transition and
 * the lead's next one (a hand-off held for missing fields and released later), else at the MQL
 * transition. The revision is the lead's, else the agreement's active one.
 * Columns: lead_id, owner_id, handed_off_at, revision_id, time_zone, response_sla_minutes,
 * acceptance_sla_minutes, any_contact_at, closed_at, first_contact_at (the contact that stopped the
 * response clock, if any), response_stopped_at, decided_at, response_business_minutes and
 * decision_business_minutes (both measured to now() while still open).
 */
export function handoffCtes(f: KpiFilters): SQL {
  return sql`handoff_times as (
    select t.lead_id, t.handed_off_at from (
      select st.lead_id,
        case when l.handed_off_at >= st.occurred_at and (nx.at is null or l.handed_off_at < nx.at)
          then l.handed_off_at else st.occurred_at end as handed_off_at
      from stage_transitions st
      join leads l on l.id = st.lead_id
      left join lateral (select min(n.occurred_at) as at from stage_transitions n
        where n.lead_id = st.lead_id and n.to_stage = 'mql' and n.occurred_at > st.occurred_at) nx on true
      where st.to_stage = 'mql' and st.occurred_at < ${periodEnd(f)}
        and (st.occurred_at >= ${periodStart(f)} or l.handed_off_at >= ${periodStart(f)})
        and ${leadFilter(f)}
    ) t
    where ${inPeriod(sql`t.handed_off_at`, f)}
  ),
  handoff_rows as (
    select h.lead_id, h.handed_off_at, l.owner_id, rev.id as revision_id, rev.time_zone,
      resp.business_minutes as response_sla_minutes,
      acc.business_minutes as acceptance_sla_minutes,
      (select min(ca.occurred_at) from contact_attempts ca
        where ca.lead_id = h.lead_id and ca.occurred_at >= h.handed_off_at) as any_contact_at,
      (select min(sc.occurred_at) from stage_transitions sc
        where sc.lead_id = h.lead_id and sc.occurred_at >= h.handed_off_at
          and sc.to_stage in ('recycled', 'disqualified')) as closed_at,
      (select min(sd.occurred_at) from stage_transitions sd
        where sd.lead_id = h.lead_id and sd.from_stage = 'mql' and sd.occurred_at >= h.handed_off_at
          and sd.to_stage in ('sql', 'recycled', 'disqualified')) as decided_at
    from handoff_times h
    join leads l on l.id = h.lead_id
    left join sla_agreements a on a.id = l.agreement_id
    left join agreement_revisions rev on rev.id = coalesce(l.revision_id, a.active_revision_id)
    left join sla_clock_rules resp on resp.revision_id = rev.id and resp.clock = 'response' and resp.active
    left join sla_clock_rules acc on acc.revision_id = rev.id and acc.clock = 'acceptance' and acc.active
  ),
  handoff_stops as (
    -- The response clock stops at the first contact, or when the lead goes back (recycled or
    -- disqualified) before anyone contacted it; first_contact_at keeps only a contact before that.
    select hr.*,
      case when hr.any_contact_at <= coalesce(hr.closed_at, 'infinity'::timestamptz) then hr.any_contact_at end as first_contact_at,
      least(hr.any_contact_at, hr.closed_at) as response_stopped_at
    from handoff_rows hr
  ),
  -- Materialized: the verdicts read the business minutes several times; inlined, PostgreSQL would
  -- recompute the per-day subqueries for every reference.
  handoffs as materialized (
    select hs.*,
      ${businessMinutes(sql`hs.handed_off_at`, sql`coalesce(hs.response_stopped_at, now())`, sql`hs.revision_id`, sql`hs.time_zone`)} as response_business_minutes,
      ${businessMinutes(sql`hs.handed_off_at`, sql`coalesce(hs.decided_at, now())`, sql`hs.revision_id`, sql`hs.time_zone`)} as decision_business_minutes
    from handoff_stops hs
  )`;
}

/**
 * The response verdict of a row of `handoffs` (aliased h): 'within' (contacted within the SLA),
 * 'breached' (the SLA ran out before a contact or a return to Marketing), 'closed' (recycled or
 * disqualified within the SLA without a contact: the clock is cancelled), 'pending' (time left),
 * 'no_sla' (the revision has no active response rule).
 */
export const responseVerdict = sql`(case
    when h.response_sla_minutes is null then 'no_sla'
    when h.response_business_minutes > h.response_sla_minutes then 'breached'
    when h.first_contact_at is not null then 'within'
    when h.response_stopped_at is not null then 'closed'
    else 'pending' end)`;

/** Same for the acceptance clock: Sales accepts (→ SQL) or rejects within the SLA. */
export const acceptanceVerdict = sql`(case
    when h.acceptance_sla_minutes is null then 'no_sla'
    when h.decision_business_minutes <= h.acceptance_sla_minutes and h.decided_at is not null then 'within'
    when h.decision_business_minutes > h.acceptance_sla_minutes then 'breached'
    else 'pending' end)`;

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
