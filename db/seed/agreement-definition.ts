// The demo SLA's rules, as plain data: what Marketing and Sales agreed on. agreement.ts writes it;
// the lead generator reads it, so generated behaviour always follows the rules in the database.
import type { FitRule, InterestRule } from '../../domain/scoring/rules';
import type {
  ActivityType,
  BuyingStage,
  ContactChannel,
  EnrolmentTrigger,
  FitGrade,
  GoalMetric,
  LifecycleStage,
  OwnerSide,
  PipelineOutcome,
  ReasonKind,
  RecycleTrigger,
  Temperature,
} from '../schema/enums';

export const AGREEMENT_NAME = 'Marketing ↔ Sales SLA 2026';
export const TIME_ZONE = 'America/New_York';

export const fitRuleDefinitions: (FitRule & { key: string; name: string })[] = [
  { key: 'decision_maker', name: 'Decision maker (C-level or VP)', attribute: 'seniority', operator: 'in', value: ['c_level', 'vp'], points: 25 },
  { key: 'director', name: 'Director', attribute: 'seniority', operator: 'equals', value: 'director', points: 18 },
  { key: 'manager', name: 'Manager', attribute: 'seniority', operator: 'equals', value: 'manager', points: 10 },
  { key: 'revenue_team', name: 'Revenue team (marketing, sales, RevOps)', attribute: 'department', operator: 'in', value: ['Marketing', 'Sales', 'Revenue Operations'], points: 15 },
  { key: 'operations_role', name: 'Operations role', attribute: 'title', operator: 'contains', value: 'operations', points: 5 },
  { key: 'small_business', name: 'Small business (50–199 employees)', attribute: 'company_size', operator: 'range', value: { min: 50, max: 200 }, points: 5 },
  { key: 'mid_market', name: 'Mid-market (200–1,999 employees)', attribute: 'company_size', operator: 'range', value: { min: 200, max: 2000 }, points: 15 },
  { key: 'enterprise', name: 'Enterprise (2,000+ employees)', attribute: 'company_size', operator: 'range', value: { min: 2000 }, points: 20 },
  { key: 'target_industry', name: 'Target industry', attribute: 'industry', operator: 'in', value: ['Software', 'Financial Services', 'Healthcare', 'Manufacturing', 'Professional Services'], points: 8 },
  { key: 'core_market', name: 'Core market', attribute: 'country', operator: 'in', value: ['US', 'CA', 'GB', 'DE', 'NL', 'AU'], points: 8 },
  { key: 'uses_crm', name: 'Uses a CRM', attribute: 'attributes.crm', operator: 'exists', points: 5 },
  { key: 'student_or_job_seeker', name: 'Student or job seeker', attribute: 'title', operator: 'contains', value: 'student', points: -30 },
];

export const interestRuleDefinitions: (InterestRule & { key: string; name: string })[] = [
  { key: 'website_visit', name: 'Website visit', activityType: 'page_view', propertyFilters: [], points: 2, repeatPolicy: 'max_per_period', repeatMax: 3, repeatPeriodDays: 7, decayHalfLifeDays: 30 },
  { key: 'customer_stories', name: 'Customer stories read', activityType: 'page_view', propertyFilters: [{ property: 'url', operator: 'contains', value: '/customers' }], points: 4, repeatPolicy: 'every_time', decayHalfLifeDays: 30 },
  { key: 'pricing_page', name: 'Pricing page viewed', activityType: 'pricing_page_view', propertyFilters: [{ property: 'url', operator: 'contains', value: '/pricing' }], points: 10, repeatPolicy: 'every_time', decayHalfLifeDays: 30 },
  { key: 'email_open', name: 'E-mail opened', activityType: 'email_open', propertyFilters: [], points: 1, repeatPolicy: 'every_time', decayHalfLifeDays: 30 },
  { key: 'email_click', name: 'E-mail clicked', activityType: 'email_click', propertyFilters: [], points: 3, repeatPolicy: 'every_time', decayHalfLifeDays: 30 },
  { key: 'form_submit', name: 'Form submitted', activityType: 'form_submit', propertyFilters: [], points: 5, repeatPolicy: 'every_time', decayHalfLifeDays: 60 },
  { key: 'gated_content', name: 'Gated content downloaded', activityType: 'content_download', propertyFilters: [{ property: 'asset_type', operator: 'in', value: ['ebook', 'whitepaper', 'report'] }], points: 8, repeatPolicy: 'every_time', decayHalfLifeDays: 60 },
  { key: 'webinar_registration', name: 'Webinar registration (first)', activityType: 'webinar_registration', propertyFilters: [], points: 5, repeatPolicy: 'once', decayHalfLifeDays: 60 },
  { key: 'webinar_attended', name: 'Webinar attended', activityType: 'webinar_attendance', propertyFilters: [], points: 12, repeatPolicy: 'every_time', decayHalfLifeDays: 60 },
  { key: 'demo_request', name: 'Demo requested', activityType: 'demo_request', propertyFilters: [], points: 40, repeatPolicy: 'every_time', decayHalfLifeDays: null },
  { key: 'trial_request', name: 'Trial requested', activityType: 'trial_request', propertyFilters: [], points: 35, repeatPolicy: 'every_time', decayHalfLifeDays: null },
  { key: 'consultation_request', name: 'Consultation requested', activityType: 'consultation_request', propertyFilters: [], points: 30, repeatPolicy: 'every_time', decayHalfLifeDays: null },
  { key: 'unsubscribed', name: 'Unsubscribed', activityType: 'unsubscribe', propertyFilters: [], points: -20, repeatPolicy: 'every_time', decayHalfLifeDays: null },
  { key: 'hard_bounce', name: 'Hard e-mail bounce', activityType: 'email_bounce', propertyFilters: [{ property: 'bounce_type', operator: 'equals', value: 'hard' }], points: -15, repeatPolicy: 'every_time', decayHalfLifeDays: null },
];

export const scoringThresholds = { mqlFitThreshold: 40, mqlInterestThreshold: 30 };

export const temperatureBandDefinitions: { temperature: Temperature; minScore: number; maxScore: number | null }[] = [
  { temperature: 'cold', minScore: 0, maxScore: 50 },
  { temperature: 'warm', minScore: 50, maxScore: 90 },
  { temperature: 'hot', minScore: 90, maxScore: null },
];

export const fitGradeDefinitions: { grade: FitGrade; minFit: number }[] = [
  { grade: 'A', minFit: 60 },
  { grade: 'B', minFit: 40 },
  { grade: 'C', minFit: 20 },
  { grade: 'D', minFit: 0 },
];

export const triggerActivityTypes: ActivityType[] = ['demo_request', 'trial_request', 'consultation_request'];

export const requiredFieldDefinitions = [
  { field: 'email', label: 'E-mail address' },
  { field: 'phone', label: 'Phone number' },
  { field: 'company_name', label: 'Company name' },
  { field: 'title', label: 'Job title' },
];

export const stageDefinitionTexts: {
  stage: LifecycleStage;
  name: string;
  definition: string;
  criteria: Record<string, unknown>;
  maxBusinessHoursInStage: number | null;
}[] = [
  { stage: 'lead', name: 'Lead', definition: 'A person who gave us their contact details (form, download, event) and may be a buyer. Marketing owns leads.', criteria: { hasEmail: true }, maxBusinessHoursInStage: null },
  { stage: 'mql', name: 'Marketing Qualified Lead', definition: 'A lead that matches our customer profile and shows buying interest: fit ≥ 40 and interest ≥ 30, or a demo, trial or consultation request. Marketing hands it to Sales with e-mail, phone, company and title.', criteria: { minFit: 40, minInterest: 30, triggers: ['demo_request', 'trial_request', 'consultation_request'] }, maxBusinessHoursInStage: 40 },
  { stage: 'sql', name: 'Sales Qualified Lead', definition: 'An MQL that Sales accepted after review: a real person at a company we can serve, worth pursuing now. Sales owns it and follows the cadence.', criteria: { acceptedBySales: true }, maxBusinessHoursInStage: 120 },
  { stage: 'opportunity', name: 'Opportunity', definition: 'A qualified buying conversation with a deal in the pipeline (need, budget, timeline discussed in a meeting).', criteria: { openDeal: true }, maxBusinessHoursInStage: null },
  { stage: 'customer', name: 'Customer', definition: 'The deal was won and the company signed.', criteria: { wonDeal: true }, maxBusinessHoursInStage: null },
  { stage: 'recycled', name: 'Recycled', definition: 'Returned to Marketing for nurturing, with a reason: not ready now, unreachable, or not the right person. May qualify again later.', criteria: { reasonRequired: true }, maxBusinessHoursInStage: null },
  { stage: 'disqualified', name: 'Disqualified', definition: 'Not a prospect: bad data, duplicate, competitor, student, or out of our market. Kept for reporting only.', criteria: { reasonRequired: true }, maxBusinessHoursInStage: null },
];

export const transitionDefinitions: { from: LifecycleStage; to: LifecycleStage; requiresReason: boolean; automatic: boolean }[] = [
  { from: 'lead', to: 'mql', requiresReason: false, automatic: true },
  { from: 'lead', to: 'disqualified', requiresReason: true, automatic: false },
  { from: 'mql', to: 'sql', requiresReason: false, automatic: false },
  { from: 'mql', to: 'recycled', requiresReason: true, automatic: false },
  { from: 'mql', to: 'disqualified', requiresReason: true, automatic: false },
  { from: 'sql', to: 'opportunity', requiresReason: false, automatic: false },
  // Automatic too: the cadence returns a lead to Marketing after the last unanswered attempt.
  { from: 'sql', to: 'recycled', requiresReason: true, automatic: true },
  { from: 'sql', to: 'disqualified', requiresReason: true, automatic: false },
  { from: 'opportunity', to: 'customer', requiresReason: false, automatic: false },
  { from: 'opportunity', to: 'recycled', requiresReason: true, automatic: false },
  { from: 'recycled', to: 'mql', requiresReason: false, automatic: true },
  { from: 'recycled', to: 'disqualified', requiresReason: true, automatic: false },
];

export const pipelineStageDefinitions: { key: string; name: string; position: number; probability: number; outcome: PipelineOutcome }[] = [
  { key: 'discovery', name: 'Discovery', position: 1, probability: 0.1, outcome: 'open' },
  { key: 'proposal', name: 'Proposal', position: 2, probability: 0.35, outcome: 'open' },
  { key: 'negotiation', name: 'Negotiation', position: 3, probability: 0.65, outcome: 'open' },
  { key: 'won', name: 'Closed won', position: 4, probability: 1, outcome: 'won' },
  { key: 'lost', name: 'Closed lost', position: 5, probability: 0, outcome: 'lost' },
];

export const reasonCodeDefinitions: { kind: ReasonKind; code: string; label: string }[] = [
  { kind: 'recycle', code: 'no_response', label: 'No response after the agreed attempts' },
  { kind: 'recycle', code: 'bad_timing', label: 'Interested, but not now' },
  { kind: 'recycle', code: 'no_budget', label: 'No budget this period' },
  { kind: 'recycle', code: 'not_decision_maker', label: 'Not the decision maker' },
  { kind: 'recycle', code: 'competitor', label: 'Chose a competitor' },
  { kind: 'recycle', code: 'no_decision', label: 'Decided to do nothing for now' },
  { kind: 'recycle', code: 'insufficient_interest', label: 'Not enough buying signal yet' },
  { kind: 'disqualify', code: 'bad_data', label: 'Invalid or fake contact data' },
  { kind: 'disqualify', code: 'duplicate', label: 'Duplicate of another lead' },
  { kind: 'disqualify', code: 'not_a_fit', label: 'Outside our customer profile' },
  { kind: 'disqualify', code: 'competitor', label: 'Works for a competitor' },
  { kind: 'disqualify', code: 'student_or_job_seeker', label: 'Student or job seeker' },
  { kind: 'disqualify', code: 'no_budget', label: 'Can never afford the product' },
  { kind: 'reject', code: 'not_a_fit', label: 'Not our customer profile' },
  { kind: 'reject', code: 'not_decision_maker', label: 'No buying role' },
  { kind: 'reject', code: 'no_budget', label: 'No budget' },
  { kind: 'reject', code: 'bad_timing', label: 'Too early in the journey' },
  { kind: 'reject', code: 'insufficient_interest', label: 'Not enough buying signal' },
  { kind: 'reject', code: 'bad_data', label: 'Contact data unusable' },
  { kind: 'reject', code: 'duplicate', label: 'Already worked by Sales' },
];

export const workflowDefinitions: {
  key: string;
  name: string;
  buyingStage: BuyingStage;
  steps: { name: string; content: string; channel: ContactChannel; delayDays: number }[];
}[] = [
  {
    key: 'awareness',
    name: 'Awareness: why an SLA',
    buyingStage: 'awareness',
    steps: [
      { name: 'Welcome back', content: 'Blog digest: what a Marketing–Sales SLA fixes', channel: 'email', delayDays: 1 },
      { name: 'The problem', content: 'Report: where leads get lost between teams', channel: 'email', delayDays: 7 },
      { name: 'Peer story', content: 'Customer story: response time from 2 days to 1 hour', channel: 'email', delayDays: 10 },
      { name: 'Invitation', content: 'Webinar invitation: writing an SLA both teams sign', channel: 'email', delayDays: 14 },
    ],
  },
  {
    key: 'consideration',
    name: 'Consideration: how it works',
    buyingStage: 'consideration',
    steps: [
      { name: 'Scoring guide', content: 'E-book: scoring leads on fit and interest', channel: 'email', delayDays: 2 },
      { name: 'Comparison', content: 'Checklist: evaluating SLA and routing tools', channel: 'email', delayDays: 7 },
      { name: 'Live demo', content: 'Recorded product tour', channel: 'email', delayDays: 7 },
      { name: 'Case study', content: 'How a 40-rep team cut recycled leads by half', channel: 'email', delayDays: 10 },
      { name: 'Social touch', content: 'LinkedIn: SLA review template', channel: 'social', delayDays: 5 },
    ],
  },
  {
    key: 'decision',
    name: 'Decision: ready to talk',
    buyingStage: 'decision',
    steps: [
      { name: 'ROI', content: 'Reverse-funnel calculator with your numbers', channel: 'email', delayDays: 3 },
      { name: 'Pricing', content: 'Pricing and plans overview', channel: 'email', delayDays: 5 },
      { name: 'Offer', content: 'Book a 30-minute consultation', channel: 'email', delayDays: 7 },
    ],
  },
];

export const recycleRuleDefinitions: { trigger: RecycleTrigger; reasonCode: string; workflowKey: string | null; requalifyAfterDays: number }[] = [
  { trigger: 'max_attempts', reasonCode: 'no_response', workflowKey: 'awareness', requalifyAfterDays: 30 },
  { trigger: 'max_span', reasonCode: 'no_response', workflowKey: 'awareness', requalifyAfterDays: 30 },
  { trigger: 'manual', reasonCode: 'no_response', workflowKey: 'awareness', requalifyAfterDays: 30 },
  { trigger: 'manual', reasonCode: 'bad_timing', workflowKey: 'decision', requalifyAfterDays: 45 },
  { trigger: 'manual', reasonCode: 'no_budget', workflowKey: 'consideration', requalifyAfterDays: 90 },
  { trigger: 'manual', reasonCode: 'not_decision_maker', workflowKey: 'awareness', requalifyAfterDays: 30 },
  { trigger: 'manual', reasonCode: 'competitor', workflowKey: 'consideration', requalifyAfterDays: 120 },
  { trigger: 'manual', reasonCode: 'no_decision', workflowKey: 'consideration', requalifyAfterDays: 60 },
  { trigger: 'rejected', reasonCode: 'not_a_fit', workflowKey: null, requalifyAfterDays: 90 },
  { trigger: 'rejected', reasonCode: 'not_decision_maker', workflowKey: 'awareness', requalifyAfterDays: 30 },
  { trigger: 'rejected', reasonCode: 'no_budget', workflowKey: 'consideration', requalifyAfterDays: 90 },
  { trigger: 'rejected', reasonCode: 'bad_timing', workflowKey: 'consideration', requalifyAfterDays: 45 },
  { trigger: 'rejected', reasonCode: 'insufficient_interest', workflowKey: 'consideration', requalifyAfterDays: 30 },
];

export const enrolmentRuleDefinitions: { workflowKey: string; trigger: EnrolmentTrigger; reasonCode: string | null; stage: LifecycleStage | null }[] = [
  { workflowKey: 'awareness', trigger: 'new_lead', reasonCode: null, stage: null },
  { workflowKey: 'awareness', trigger: 'on_recycle', reasonCode: 'no_response', stage: null },
  { workflowKey: 'awareness', trigger: 'on_recycle', reasonCode: 'not_decision_maker', stage: null },
  { workflowKey: 'consideration', trigger: 'on_recycle', reasonCode: 'no_budget', stage: null },
  { workflowKey: 'consideration', trigger: 'on_recycle', reasonCode: 'competitor', stage: null },
  { workflowKey: 'consideration', trigger: 'on_recycle', reasonCode: 'insufficient_interest', stage: null },
  { workflowKey: 'decision', trigger: 'on_recycle', reasonCode: 'bad_timing', stage: null },
];

export const clockRuleDefinitions = {
  acceptance: 480,
  response: 240,
  cadenceInterval: 480,
  timeInStage: { mql: 40 * 60, sql: 120 * 60 } as Partial<Record<LifecycleStage, number>>,
};

export const cadenceDefinition = {
  allowedChannels: ['phone', 'email', 'video'] as ContactChannel[],
  maxAttempts: 6,
  minIntervalBusinessMinutes: 480,
  maxSpanDays: 14,
};

/** Monday–Friday 09:00–17:00 in the agreement's time zone. */
export const businessHourDefinitions = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, startMinute: 540, endMinute: 1020 }));

export interface GoalDefinition {
  key: string;
  name: string;
  metric: GoalMetric;
  target: number;
  ownerSide: OwnerSide;
  averageDealSizeMinor?: number;
  rates?: { visitorToLead: number; leadToMql: number; mqlToSql: number; sqlToOpportunity: number; win: number };
}

/** The article's example: $1M new revenue this quarter, and the counts each side commits to. */
export const goalDefinitions: GoalDefinition[] = [
  {
    key: 'new_revenue',
    name: 'New revenue this quarter',
    metric: 'new_revenue',
    target: 100_000_000,
    ownerSide: 'shared',
    averageDealSizeMinor: 2_000_000,
    rates: { visitorToLead: 0.02, leadToMql: 0.2, mqlToSql: 0.4, sqlToOpportunity: 0.5, win: 0.25 },
  },
  { key: 'mqls_delivered', name: 'MQLs delivered to Sales', metric: 'mqls', target: 1_000, ownerSide: 'marketing' },
  { key: 'sqls_accepted', name: 'SQLs accepted by Sales', metric: 'sqls', target: 400, ownerSide: 'sales' },
  { key: 'deals_won', name: 'Deals won', metric: 'won_deals', target: 50, ownerSide: 'sales' },
];
