import { conversionTrendKpi, funnelCohortKpi, funnelKpi, stageDurationsKpi } from './funnel';
import { goalAttainmentKpi } from './goals';
import { mqlAcceptanceKpi, nurtureKpi, rejectionReasonsKpi, scoreDistributionKpi } from './marketing';
import { recycleReasonsKpi, requalificationKpi } from './recycle';
import {
  attemptsPerLeadKpi,
  cadenceComplianceKpi,
  cadenceFlagsKpi,
  channelOutcomeKpi,
  repActivityKpi,
  responseDistributionKpi,
  responseTimeKpi,
} from './sales';
import { slaBreachesKpi, slaComplianceTrendKpi, stuckLeadsKpi } from './sla';
import type { KpiDefinition } from './types';

/** Every KPI, by id. The one list GraphQL, notebooks and the CLI read. */
export const kpis = {
  funnel: funnelKpi,
  funnel_cohort: funnelCohortKpi,
  conversion_trend: conversionTrendKpi,
  stage_durations: stageDurationsKpi,
  mql_acceptance: mqlAcceptanceKpi,
  rejection_reasons: rejectionReasonsKpi,
  score_distribution: scoreDistributionKpi,
  response_time: responseTimeKpi,
  response_distribution: responseDistributionKpi,
  attempts_per_lead: attemptsPerLeadKpi,
  rep_activity: repActivityKpi,
  channel_outcome_mix: channelOutcomeKpi,
  cadence_compliance: cadenceComplianceKpi,
  cadence_flags: cadenceFlagsKpi,
  recycle_reasons: recycleReasonsKpi,
  requalification: requalificationKpi,
  sla_compliance_trend: slaComplianceTrendKpi,
  sla_breaches: slaBreachesKpi,
  stuck_leads: stuckLeadsKpi,
  goal_attainment: goalAttainmentKpi,
  nurture: nurtureKpi,
} as const;

export type KpiId = keyof typeof kpis;
export type KpiRow<K extends KpiId> = (typeof kpis)[K] extends KpiDefinition<infer Row> ? Row : never;
export const kpiIds = Object.keys(kpis) as KpiId[];

export function isKpiId(value: string): value is KpiId {
  return Object.hasOwn(kpis, value);
}
