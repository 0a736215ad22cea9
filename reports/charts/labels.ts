import type { ConversionStep, FunnelStage } from '../kpis/funnel';
import type { ComplianceMeasure } from '../kpis/sla';

// Labels shared by charts, tables and notebook prose, so a step is named the same way everywhere.

export const stageLabels: Record<FunnelStage, string> = {
  visitors: 'Visitors',
  leads: 'Leads',
  mqls: 'MQLs',
  sqls: 'SQLs',
  opportunities: 'Opportunities',
  won: 'Won deals',
};

/** Singular and plural nouns for prose ("1 MQL", "6 MQLs"). */
export const stageNouns: Record<FunnelStage, [string, string]> = {
  visitors: ['visitor', 'visitors'],
  leads: ['lead', 'leads'],
  mqls: ['MQL', 'MQLs'],
  sqls: ['SQL', 'SQLs'],
  opportunities: ['opportunity', 'opportunities'],
  won: ['won deal', 'won deals'],
};

export const stepLabels: Record<ConversionStep, string> = {
  lead_to_mql: 'Lead → MQL',
  mql_to_sql: 'MQL → SQL',
  sql_to_opportunity: 'SQL → opportunity',
  opportunity_to_won: 'Opportunity → won',
};

export const measureLabels: Record<ComplianceMeasure, string> = {
  response_within_sla: 'Sales · response within SLA',
  acceptance_within_sla: 'Sales · accept/reject within SLA',
  cadence_compliance: 'Sales · cadence compliance',
  mql_acceptance: 'Marketing · MQLs accepted',
};

export const clockLabels: Record<string, string> = {
  acceptance: 'Acceptance',
  response: 'Response',
  cadence_interval: 'Cadence interval',
  time_in_stage: 'Time in stage',
};

export const routeLabels: Record<string, string> = {
  rejected: 'Rejected hand-off',
  manual: 'Recycled by Sales',
  automatic: 'Recycled automatically',
};

export const goalStepLabels = {
  visitors: 'Visitors',
  leads: 'Leads',
  mqls: 'MQLs',
  sqls: 'SQLs',
  opportunities: 'Opportunities',
  wonDeals: 'Won deals',
  revenueMinor: 'Revenue',
} as const;
