import type { KpiId } from '../kpis/catalogue';
import { scorecard, scorecardCells, summaryMarkdown } from './scorecard';
import { goalsSection } from './sections-goals';
import { funnelSection, marketingSection, nurtureSection } from './sections-marketing';
import { breachesSection, complianceSection, recycleSection, salesSection } from './sections-sales';
import type { NotebookDefinition, NotebookName } from './types';

// The scorecard compares these with the comparison period.
const scorecardKpis: KpiId[] = ['funnel', 'mql_acceptance', 'response_time', 'cadence_compliance'];

const monthlyReview: NotebookDefinition = {
  name: 'monthly-review',
  title: 'Monthly SLA review',
  description: 'Both sides’ scorecard, the funnel, lead quality, response and cadence, goals, breaches and recycle reasons: the meeting the SLA ends with.',
  kpis: {
    current: [
      ...scorecardKpis,
      'stage_durations',
      'rejection_reasons',
      'score_distribution',
      'response_distribution',
      'rep_activity',
      'channel_outcome_mix',
      'sla_compliance_trend',
      'goal_attainment',
      'sla_breaches',
      'stuck_leads',
      'recycle_reasons',
      'requalification',
    ],
    previous: scorecardKpis,
    trend: ['conversion_trend'],
  },
  build(data) {
    const card = scorecard(data);
    return [
      { kind: 'markdown', markdown: summaryMarkdown(data, card) },
      ...scorecardCells(card),
      ...funnelSection(data, false),
      ...marketingSection(data),
      ...salesSection(data),
      ...complianceSection(data),
      ...goalsSection(data),
      ...breachesSection(data),
      ...recycleSection(data),
    ];
  },
};

const marketingFunnel: NotebookDefinition = {
  name: 'marketing-funnel',
  title: 'Marketing funnel',
  description: 'Traffic to revenue: the period’s funnel and its creation cohort, conversion over time, time between stages, lead quality, nurture and Marketing’s goals.',
  kpis: {
    current: ['funnel', 'funnel_cohort', 'stage_durations', 'mql_acceptance', 'rejection_reasons', 'score_distribution', 'nurture', 'goal_attainment', 'response_time', 'cadence_compliance'],
    previous: scorecardKpis,
    trend: ['conversion_trend'],
  },
  build(data) {
    const card = scorecard(data);
    return [
      { kind: 'markdown', markdown: summaryMarkdown(data, card, { marketing: true, sales: false }) },
      { kind: 'tiles', title: 'Marketing', tiles: card.marketing },
      ...funnelSection(data, true),
      ...marketingSection(data),
      ...nurtureSection(data),
      ...goalsSection(data, ['marketing', 'shared']),
    ];
  },
};

const salesCadence: NotebookDefinition = {
  name: 'sales-cadence',
  title: 'Sales cadence',
  description: 'How fast and how persistently Sales follows up: response against the SLA, attempts, reps, channels and outcomes, cadence breaches, SLA breaches and recycle reasons.',
  kpis: {
    current: [
      ...scorecardKpis,
      'response_distribution',
      'attempts_per_lead',
      'rep_activity',
      'channel_outcome_mix',
      'cadence_flags',
      'sla_compliance_trend',
      'sla_breaches',
      'recycle_reasons',
      'requalification',
    ],
    previous: scorecardKpis,
    trend: [],
  },
  build(data) {
    const card = scorecard(data);
    return [
      { kind: 'markdown', markdown: summaryMarkdown(data, card, { marketing: false, sales: true }) },
      { kind: 'tiles', title: 'Sales', tiles: card.sales },
      ...salesSection(data),
      ...complianceSection(data),
      ...breachesSection(data),
      ...recycleSection(data),
    ];
  },
};

export const notebooks: Record<NotebookName, NotebookDefinition> = {
  'monthly-review': monthlyReview,
  'marketing-funnel': marketingFunnel,
  'sales-cadence': salesCadence,
};
