import { sql } from 'drizzle-orm';
import { acceptanceVerdict, bucketOf, handoffCtes, inPeriod, leadFilter, mqlOutcomeCtes, responseVerdict } from './sql';
import { day, defineKpi, num, numOrNull, rate, str, type Rate } from './types';

export const complianceMeasures = [
  'response_within_sla',
  'acceptance_within_sla',
  'cadence_compliance',
  'mql_acceptance',
] as const;
export type ComplianceMeasure = (typeof complianceMeasures)[number];

export interface SlaComplianceRow extends Rate {
  bucket: string;
  side: 'sales' | 'marketing';
  measure: ComplianceMeasure;
}

export const slaComplianceTrendKpi = defineKpi<SlaComplianceRow>({
  id: 'sla_compliance_trend',
  title: 'SLA compliance over time, both sides',
  description:
    'Per week (or month for periods over 62 days), UTC; a week without a decided case has no point. Sales: response within SLA (as in response_time, by ' +
    'hand-off time), acceptance within SLA (the first move out of mql — to sql, recycled or disqualified — within ' +
    'the revision’s "acceptance" business minutes of the hand-off; open ones count once the time has run out), ' +
    'cadence compliance (attempts with empty cadence_flags). Marketing: MQL → SQL acceptance of the MQLs that entered ' +
    'in the bucket (as in mql_acceptance): the quality Marketing promised.',
  params: ['period', 'agreement', 'source', 'owner'],
  query: (f) => sql`with ${handoffCtes(f)}, ${mqlOutcomeCtes(f, true)},
    hv as (select ${bucketOf(sql`h.handed_off_at`, f)} as bucket, ${responseVerdict} as rv, ${acceptanceVerdict} as av
           from sales_handoffs h)
    select bucket, 'sales' as side, 'response_within_sla' as measure,
      count(*) filter (where rv = 'within') as numerator, count(*) filter (where rv in ('within', 'breached')) as denominator
    from hv group by 1 having count(*) filter (where rv in ('within', 'breached')) > 0
    union all
    select bucket, 'sales', 'acceptance_within_sla',
      count(*) filter (where av = 'within'), count(*) filter (where av in ('within', 'breached'))
    from hv group by 1 having count(*) filter (where av in ('within', 'breached')) > 0
    union all
    select ${bucketOf(sql`ca.occurred_at`, f)}, 'sales', 'cadence_compliance',
      count(*) filter (where cardinality(ca.cadence_flags) = 0), count(*)
    from contact_attempts ca join leads l on l.id = ca.lead_id
    where ${inPeriod(sql`ca.occurred_at`, f)} and ${leadFilter(f)} group by 1
    union all
    select bucket, 'marketing', 'mql_acceptance', count(*) filter (where accepted), count(*)
    from mql_outcomes group by 1
    order by 1, 2, 3`,
  mapRows: (raw) =>
    raw.map((r) => ({
      bucket: day(r.bucket),
      side: str(r.side) as 'sales' | 'marketing',
      measure: str(r.measure) as ComplianceMeasure,
      ...rate(num(r.numerator), num(r.denominator)),
    })),
});

export interface BreachRow {
  clock: string;
  /** The rep who owned the clock (users.name), or "Unassigned". */
  owner: string;
  /** Their user id (null when unassigned, or for a team-total row). */
  ownerId: string | null;
  breaches: number;
  resolved: number;
  open: number;
  p50HoursToResolve: number | null;
  /** Set on the team-total rows of a rep's own view (reports/kpis/audience.ts). */
  teamTotal?: true;
}

export const slaBreachesKpi = defineKpi<BreachRow>({
  id: 'sla_breaches',
  title: 'SLA breaches',
  description:
    'Recorded breaches (sla_breaches) with breached_at in the period, by clock (acceptance, response, cadence ' +
    'interval, time in stage) and owner: how many, how many resolved (resolved_at set, as of now) and the median ' +
    'hours from breach to resolution.',
  params: ['period', 'agreement', 'source', 'owner'],
  query: (f) => sql`select b.clock::text as clock, coalesce(u.name, 'Unassigned') as owner, u.id as owner_id, count(*) as breaches,
      count(*) filter (where b.resolved_at is not null) as resolved,
      percentile_cont(0.5) within group (order by extract(epoch from (b.resolved_at - b.breached_at)) / 3600) as p50_resolve
    from sla_breaches b
    join leads l on l.id = b.lead_id
    left join users u on u.id = b.owner_id
    where ${inPeriod(sql`b.breached_at`, f)} and ${leadFilter(f)}
    group by 1, 2, 3 order by 1, 4 desc, 2`,
  mapRows: (raw) =>
    raw.map((r) => ({
      clock: str(r.clock),
      owner: str(r.owner),
      ownerId: r.owner_id == null ? null : str(r.owner_id),
      breaches: num(r.breaches),
      resolved: num(r.resolved),
      open: num(r.breaches) - num(r.resolved),
      p50HoursToResolve: numOrNull(r.p50_resolve),
    })),
});

export interface StuckLeadRow {
  stage: string;
  /** Leads whose time in this stage ran out in the period (one per time-in-stage breach). */
  breaches: number;
  /** Of those, still in the stage now. */
  stillStuck: number;
  /** Median wall-clock hours past the limit: to when the lead moved on, or to now. */
  p50HoursOver: number | null;
}

export const stuckLeadsKpi = defineKpi<StuckLeadRow>({
  id: 'stuck_leads',
  title: 'Stuck leads (time in stage)',
  description:
    'The article’s “time in stage”: TIME_IN_STAGE clocks (the agreement’s business-hour limit per stage) that ran out in the ' +
    'period (sla_breaches.breached_at), by stage: how many, how many are still in that stage now (the clock not stopped), and ' +
    'the median hours past the limit until the lead moved on (or until now). The same clocks the stuckLeads query lists.',
  params: ['period', 'agreement', 'source', 'owner'],
  query: (f) => sql`select c.stage::text as stage, count(*) as breaches,
      count(*) filter (where c.stopped_at is null) as still_stuck,
      percentile_cont(0.5) within group (order by extract(epoch from (coalesce(c.stopped_at, now()) - c.due_at)) / 3600) as p50_over
    from sla_breaches b
    join sla_clocks c on c.id = b.clock_id
    join leads l on l.id = b.lead_id
    where b.clock = 'time_in_stage' and ${inPeriod(sql`b.breached_at`, f)} and ${leadFilter(f)}
    group by 1 order by 2 desc, 1`,
  mapRows: (raw) =>
    raw.map((r) => ({ stage: str(r.stage), breaches: num(r.breaches), stillStuck: num(r.still_stuck), p50HoursOver: numOrNull(r.p50_over) })),
});
