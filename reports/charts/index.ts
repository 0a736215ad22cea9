import type { KpiId, KpiRow } from '../kpis/catalogue';
import { breachesChart, nurtureChart, reasonsChart, scoreChart, slaComplianceChart } from './compliance';
import { conversionTrendChart, funnelChart, mqlOutcomeChart, stageDurationChart } from './funnel';
import { goalChart } from './goals';
import { attemptsChart, cadenceComplianceChart, cadenceFlagsChart, channelOutcomeChart, repChart, responseChart } from './sales';
import type { Chart } from './theme';

export type { Chart } from './theme';

/** The default chart of each KPI that has one (response_time and requalification are single numbers). */
export const chartBuilders = {
  funnel: (rows: KpiRow<'funnel'>[]) => funnelChart(rows, 'funnel'),
  funnel_cohort: (rows: KpiRow<'funnel_cohort'>[]) => funnelChart(rows, 'funnel_cohort'),
  conversion_trend: conversionTrendChart,
  stage_durations: stageDurationChart,
  mql_acceptance: mqlOutcomeChart,
  rejection_reasons: (rows: KpiRow<'rejection_reasons'>[]) => reasonsChart(rows, 'rejection_reasons'),
  score_distribution: scoreChart,
  response_distribution: responseChart,
  attempts_per_lead: attemptsChart,
  rep_activity: repChart,
  channel_outcome_mix: channelOutcomeChart,
  cadence_compliance: cadenceComplianceChart,
  cadence_flags: cadenceFlagsChart,
  recycle_reasons: (rows: KpiRow<'recycle_reasons'>[]) => reasonsChart(rows, 'recycle_reasons'),
  sla_compliance_trend: slaComplianceChart,
  sla_breaches: breachesChart,
  goal_attainment: goalChart,
  nurture: nurtureChart,
} satisfies Partial<{ [K in KpiId]: (rows: KpiRow<K>[]) => Chart }>;

export type ChartKpi = keyof typeof chartBuilders;
export const chartKpis = Object.keys(chartBuilders) as ChartKpi[];

export function isChartKpi(value: string): value is ChartKpi {
  return Object.hasOwn(chartBuilders, value);
}

/** The default chart of a KPI from its rows. */
export function buildChart<K extends ChartKpi>(kpi: K, rows: KpiRow<K>[]): Chart {
  return (chartBuilders[kpi] as (rows: KpiRow<K>[]) => Chart)(rows);
}
