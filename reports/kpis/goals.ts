import { sql, type SQL } from 'drizzle-orm';
import type { GoalMetric } from '../../db/schema/enums';
import { funnelCountColumns, ratesFrom, type FunnelCounts } from '../../domain/goals/measure';
import { pacing, reverseFunnel, type FunnelNeeds, type FunnelRates, type Pacing } from '../../domain/goals/reverse-funnel';
import { periodEnd } from './sql';
import { day, defineKpi, num, numOrNull, rate, str, type RawRow, type Rate } from './types';

export const funnelSteps = ['visitors', 'leads', 'mqls', 'sqls', 'opportunities', 'wonDeals', 'revenueMinor'] as const;
export type FunnelStep = (typeof funnelSteps)[number];
export type FunnelActuals = Record<FunnelStep, number>;

export interface GoalRow {
  goalId: string;
  name: string;
  metric: GoalMetric;
  ownerSide: string;
  /** Minor units for new_revenue, a count otherwise. */
  target: number;
  currency: string;
  periodStart: string;
  periodEnd: string;
  /** Actuals are counted up to this instant: the end of the report period, or now if earlier. */
  asOf: string;
  actual: number;
  /** actual / target */
  attainment: Rate;
  pacing: Pacing;
  rateSource: string;
  /** The rates the reverse funnel used (configured, or measured over the look-back window); null when unknown. */
  rates: FunnelRates | null;
  /** What the whole goal period needs at each step; null when rates (or the deal size) are missing. */
  needs: FunnelNeeds | null;
  /** Actuals from the goal period's start to asOf, every step. */
  actuals: FunnelActuals;
}

const metricStep: Record<GoalMetric, FunnelStep> = {
  new_revenue: 'revenueMinor',
  won_deals: 'wonDeals',
  opportunities: 'opportunities',
  sqls: 'sqls',
  mqls: 'mqls',
  leads: 'leads',
  visitors: 'visitors',
};

/** Step counts of one window (win.agreement_id, win.f, win.t in scope): domain/goals/measure.ts's definition. */
function stepCounts(from: SQL, to: SQL, prefix: string): SQL {
  return funnelCountColumns(from, to, sql`l.agreement_id = win.agreement_id`, prefix);
}

/** The rates below a goal's metric are the ones its reverse funnel uses. */
const rateOrder: [keyof FunnelRates, FunnelStep][] = [
  ['winRate', 'wonDeals'],
  ['sqlToOpportunity', 'opportunities'],
  ['mqlToSql', 'sqls'],
  ['leadToMql', 'mqls'],
  ['visitorToLead', 'leads'],
];

function validRate(value: number | null): number | null {
  return value !== null && value > 0 && value <= 1 ? value : null;
}

const counts = (r: RawRow, prefix: string): FunnelCounts => ({
  visitors: num(r[`${prefix}visitors`]),
  leads: num(r[`${prefix}leads`]),
  mqls: num(r[`${prefix}mqls`]),
  sqls: num(r[`${prefix}sqls`]),
  opportunities: num(r[`${prefix}opportunities`]),
  wonDeals: num(r[`${prefix}won`]),
  revenueMinor: num(r[`${prefix}revenue`]),
});

/** The rates a goal's reverse funnel uses: configured, or measured (domain/goals/measure.ts), never mixed. */
function funnelRates(r: RawRow, metric: GoalMetric): FunnelRates | null {
  const measured = ratesFrom(counts(r, 'h_'));
  const historical = Object.fromEntries(Object.entries(measured).map(([key, value]) => [key, value.rate])) as Record<keyof FunnelRates, number | null>;
  const configured: Record<keyof FunnelRates, number | null> = {
    visitorToLead: numOrNull(r.visitor_to_lead_rate),
    leadToMql: numOrNull(r.lead_to_mql_rate),
    mqlToSql: numOrNull(r.mql_to_sql_rate),
    sqlToOpportunity: numOrNull(r.sql_to_opportunity_rate),
    winRate: numOrNull(r.win_rate),
  };
  const chosenRates = str(r.rate_source) === 'historical' ? historical : configured;
  // A goal on step S needs the rates from S down to visitors: none for a visitors goal, all for revenue.
  const index = rateOrder.findIndex(([, step]) => step === metricStep[metric]);
  const start = metric === 'new_revenue' ? 0 : index === -1 ? rateOrder.length : index;
  const rates = {} as FunnelRates;
  for (const [i, [key]] of rateOrder.entries()) {
    // Rates above the goal's metric are never used by the reverse funnel; 1 keeps it well-defined.
    if (i < start) {
      rates[key] = 1;
      continue;
    }
    const chosen = validRate(chosenRates[key]);
    if (chosen === null) return null;
    rates[key] = chosen;
  }
  return rates;
}

function mapGoal(r: RawRow): GoalRow {
  const metric = str(r.metric) as GoalMetric;
  const target = num(r.target);
  const actuals: FunnelActuals = counts(r, 'a_');
  const actual = actuals[metricStep[metric]];
  const periodStart = day(r.period_start);
  const periodEnd = day(r.period_end);
  const asOf = new Date(str(r.as_of));
  const rates = funnelRates(r, metric);
  let needs: FunnelNeeds | null = null;
  if (rates) {
    try {
      needs = reverseFunnel({ metric, target, averageDealSizeMinor: numOrNull(r.average_deal_size_minor) }, rates);
    } catch {
      needs = null; // e.g. a revenue goal without an average deal size
    }
  }
  return {
    goalId: str(r.id),
    name: str(r.name),
    metric,
    ownerSide: str(r.owner_side),
    target,
    currency: str(r.currency),
    periodStart,
    periodEnd,
    asOf: asOf.toISOString(),
    actual,
    attainment: rate(actual, target),
    pacing: pacing(target, actual, periodStart, periodEnd, asOf),
    rateSource: str(r.rate_source),
    rates,
    needs,
    actuals,
  };
}

export const goalAttainmentKpi = defineKpi<GoalRow>({
  id: 'goal_attainment',
  title: 'Goal attainment and pacing',
  description:
    'Goals of the active revision (of the chosen agreement, or of every agreement) whose period overlaps the report ' +
    'period. Actual = the goal’s metric for the goal’s agreement from the goal period’s start up to the end of the ' +
    'report period (or now if earlier): visitors (daily_traffic, all sources), leads created, MQLs and SQLs (distinct ' +
    'leads with a transition to mql / sql), opportunities created, won deals and won revenue (status won, by ' +
    'closed_at). Pacing and the reverse funnel come from domain/goals/reverse-funnel.ts. HISTORICAL goals use rates ' +
    'measured as in domain/goals/measure.ts (ratesFrom: each step’s count over the step before, won deals over ' +
    'opportunities) over the look-back days ending the day before that instant; CONFIGURED goals use their own ' +
    'rates. Source and owner filters do not apply: targets are agreement-wide.',
  params: ['period', 'agreement'],
  query: (f) => sql`with g as (
      select g.*, g.metric::text as metric_text, r.agreement_id,
        (g.period_start::timestamp at time zone 'UTC') as ps,
        least(now(), ((g.period_end + 1)::timestamp at time zone 'UTC'), ${periodEnd(f)}) as as_of
      from goals g join agreement_revisions r on r.id = g.revision_id
      where r.status = 'active' and g.period_start <= ${f.to}::date and g.period_end >= ${f.from}::date
        ${f.agreementId ? sql`and r.agreement_id = ${f.agreementId}::uuid` : sql``}
    )
    , w as (
      -- The look-back window: whole UTC days ending the day before as_of (lookbackWindow in domain/goals/measure.ts).
      select g.*, ((greatest(g.as_of, g.ps) at time zone 'UTC')::date - g.lookback_days)::timestamp at time zone 'UTC' as hs_from,
        ((greatest(g.as_of, g.ps) at time zone 'UTC')::date)::timestamp at time zone 'UTC' as hs_to
      from g
    )
    -- Goals of one agreement usually share their windows: count each distinct window once.
    , windows as (
      select distinct agreement_id, ps as f, greatest(as_of, ps) as t from w
      union
      select distinct agreement_id, hs_from, hs_to from w
    )
    , counts as (
      select win.agreement_id, win.f, win.t, ${stepCounts(sql`win.f`, sql`win.t`, '')}
      from windows win
    )
    select g.id, g.name, g.metric_text as metric, g.target, g.currency, g.period_start, g.period_end,
      g.owner_side::text as owner_side, g.average_deal_size_minor, g.rate_source::text as rate_source,
      g.visitor_to_lead_rate, g.lead_to_mql_rate, g.mql_to_sql_rate, g.sql_to_opportunity_rate, g.win_rate,
      to_char(greatest(g.as_of, g.ps) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as as_of,
      a.visitors as a_visitors, a.leads as a_leads, a.mqls as a_mqls, a.sqls as a_sqls,
      a.opportunities as a_opportunities, a."wonDeals" as a_won, a."revenueMinor" as a_revenue,
      h.visitors as h_visitors, h.leads as h_leads, h.mqls as h_mqls, h.sqls as h_sqls,
      h.opportunities as h_opportunities, h."wonDeals" as h_won, h."revenueMinor" as h_revenue
    from w g
    join counts a on a.agreement_id = g.agreement_id and a.f = g.ps and a.t = greatest(g.as_of, g.ps)
    join counts h on h.agreement_id = g.agreement_id and h.f = g.hs_from and h.t = g.hs_to
    order by g.owner_side, g.period_start, g.name`,
  mapRows: (raw) => raw.map(mapGoal),
});
