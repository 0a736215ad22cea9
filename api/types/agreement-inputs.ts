import { builder } from '../builder';
import {
  ActivityTypeEnum,
  BuyingStageEnum,
  ContactChannelEnum,
  ContactOutcomeEnum,
  EnrolmentTriggerEnum,
  FitGradeEnum,
  GoalMetricEnum,
  LifecycleStageEnum,
  OwnerSideEnum,
  PipelineOutcomeEnum,
  RateSourceEnum,
  ReasonKindEnum,
  RecycleTriggerEnum,
  RepeatPolicyEnum,
  RoutingMethodEnum,
  RuleOperatorEnum,
  ScoreDimensionEnum,
  SlaClockEnum,
  TemperatureEnum,
} from './enums';
import { AbsenceHandoverEnum } from './agreement-rules';
import { SalesTeamRef, UserRef } from './refs';

// Write side of the rules: inputs mirror the read types. Shapes are checked here (GraphQL types);
// values and cross-field rules in domain/agreements, which answers with per-field problems.

const FunnelRatesInput = builder.inputType('FunnelRatesInput', {
  description: 'Conversion rates 0–1 (exclusive of 0) for the reverse funnel.',
  fields: (t) => ({
    visitorToLead: t.float({ required: false }),
    leadToMql: t.float({ required: false }),
    mqlToSql: t.float({ required: false }),
    sqlToOpportunity: t.float({ required: false }),
    winRate: t.float({ required: false }),
  }),
});

const GoalInput = builder.inputType('GoalInput', {
  description: 'A SMART goal. Money in minor units (cents).',
  fields: (t) => ({
    key: t.string({ required: true, description: 'Stable key, lower_snake_case.' }),
    name: t.string({ required: true }),
    metric: t.field({ type: GoalMetricEnum, required: true }),
    target: t.float({ required: true, description: 'Minor units for NEW_REVENUE, a count otherwise; a whole number.' }),
    currency: t.string({ required: false, description: 'ISO 4217, default USD.' }),
    periodStart: t.field({ type: 'Date', required: true }),
    periodEnd: t.field({ type: 'Date', required: true }),
    ownerSide: t.field({ type: OwnerSideEnum, required: true }),
    averageDealSizeMinor: t.float({ required: false, description: 'Needed for NEW_REVENUE goals.' }),
    rateSource: t.field({ type: RateSourceEnum, required: false }),
    lookbackDays: t.int({ required: false, description: 'Window for HISTORICAL rates, default 180.' }),
    rates: t.field({ type: FunnelRatesInput, required: false }),
  }),
});

const StageDefinitionInput = builder.inputType('StageDefinitionInput', {
  fields: (t) => ({
    stage: t.field({ type: LifecycleStageEnum, required: true }),
    name: t.string({ required: true }),
    definition: t.string({ required: true, description: 'The wording both sides agreed on.' }),
    criteria: t.field({ type: 'JSON', required: false, description: 'Machine criteria, e.g. {"minFit": 40}.' }),
    maxBusinessHoursInStage: t.int({ required: false }),
  }),
});

const AllowedTransitionInput = builder.inputType('AllowedTransitionInput', {
  fields: (t) => ({
    from: t.field({ type: LifecycleStageEnum, required: true }),
    to: t.field({ type: LifecycleStageEnum, required: true }),
    requiresReason: t.boolean({ required: false }),
    automatic: t.boolean({ required: false }),
  }),
});

const PipelineStageInput = builder.inputType('PipelineStageInput', {
  fields: (t) => ({
    key: t.string({ required: true }),
    name: t.string({ required: true }),
    probability: t.float({ required: true }),
    outcome: t.field({ type: PipelineOutcomeEnum, required: false }),
  }),
});

const PropertyFilterInput = builder.inputType('PropertyFilterInput', {
  fields: (t) => ({
    property: t.string({ required: true, description: 'Activity property, e.g. url.' }),
    operator: t.field({ type: RuleOperatorEnum, required: true }),
    value: t.field({ type: 'JSON', required: false }),
  }),
});

const ScoringRuleInput = builder.inputType('ScoringRuleInput', {
  description: 'FIT: attribute + operator + value. INTEREST: activityType (+ propertyFilters), repeat policy, decay.',
  fields: (t) => ({
    key: t.string({ required: true }),
    name: t.string({ required: true }),
    dimension: t.field({ type: ScoreDimensionEnum, required: true }),
    attribute: t.string({ required: false }),
    operator: t.field({ type: RuleOperatorEnum, required: false }),
    value: t.field({ type: 'JSON', required: false }),
    activityType: t.field({ type: ActivityTypeEnum, required: false }),
    propertyFilters: t.field({ type: [PropertyFilterInput], required: false }),
    points: t.int({ required: true }),
    repeatPolicy: t.field({ type: RepeatPolicyEnum, required: false }),
    repeatMax: t.int({ required: false }),
    repeatPeriodDays: t.int({ required: false }),
    decayHalfLifeDays: t.int({ required: false }),
    active: t.boolean({ required: false }),
  }),
});

const TemperatureBandInput = builder.inputType('TemperatureBandInput', {
  fields: (t) => ({
    temperature: t.field({ type: TemperatureEnum, required: true }),
    minScore: t.int({ required: true }),
    maxScore: t.int({ required: false, description: 'Exclusive; leave out for the top band.' }),
  }),
});

const FitGradeThresholdInput = builder.inputType('FitGradeThresholdInput', {
  fields: (t) => ({ grade: t.field({ type: FitGradeEnum, required: true }), minFit: t.int({ required: true }) }),
});

const LeadQualityRulesInput = builder.inputType('LeadQualityRulesInput', {
  description: 'Replaces all scoring rules, thresholds, bands and grades of the draft.',
  fields: (t) => ({
    mqlFitThreshold: t.int({ required: true }),
    mqlInterestThreshold: t.int({ required: true }),
    rules: t.field({ type: [ScoringRuleInput], required: true }),
    temperatureBands: t.field({ type: [TemperatureBandInput], required: true }),
    fitGrades: t.field({ type: [FitGradeThresholdInput], required: true }),
  }),
});

const HandoffRequiredFieldInput = builder.inputType('HandoffRequiredFieldInput', {
  fields: (t) => ({ field: t.string({ required: true }), label: t.string({ required: true }) }),
});

const HandoffRulesInput = builder.inputType('HandoffRulesInput', {
  fields: (t) => ({
    handoffOnMql: t.boolean({ required: false }),
    triggerActivityTypes: t.field({ type: [ActivityTypeEnum], required: false }),
    createUnknownLeads: t.boolean({ required: false }),
    recentActivitiesInPayload: t.int({ required: false }),
    requiredFields: t.field({ type: [HandoffRequiredFieldInput], required: false }),
  }),
});

const RoutingMemberInput = builder.inputType('RoutingMemberInput', {
  fields: (t) => ({
    userId: t.globalID({ required: true, for: UserRef }),
    weight: t.int({ required: false }),
    capacity: t.int({ required: false }),
  }),
});

const RoutingRulesInput = builder.inputType('RoutingRulesInput', {
  fields: (t) => ({
    method: t.field({ type: RoutingMethodEnum, required: false }),
    skipInactive: t.boolean({ required: false, description: 'Kept for compatibility: inactive and out-of-office reps never get leads.' }),
    respectCapacity: t.boolean({ required: false }),
    salesTeamId: t.globalID({ required: false, for: SalesTeamRef, description: 'Route to this sales team’s reps (their own weight and capacity).' }),
    ownerCalendar: t.boolean({ required: false, description: 'The response clock follows the owner’s working hours and time zone. Default false.' }),
    absenceHandover: t.field({ type: AbsenceHandoverEnum, required: false, description: 'Default BACKUP.' }),
    members: t.field({ type: [RoutingMemberInput], required: false, description: 'Reps in the pool (besides the team’s), with a weight and capacity for this agreement.' }),
  }),
});

const ScopeRuleInput = builder.inputType('ScopeRuleInput', {
  fields: (t) => ({
    attribute: t.string({ required: true, description: 'source, country, company_size, industry, title, seniority, department, or attributes.<name>.' }),
    operator: t.field({ type: RuleOperatorEnum, required: true }),
    value: t.field({ type: 'JSON', required: false, description: 'As for fit rules: a value, a list for IN, {"min", "max"} for RANGE, nothing for EXISTS.' }),
  }),
});

const ScopeInput = builder.inputType('AgreementScopeInput', {
  description: 'Which leads the agreement governs: all rules must match (none = every lead); the lowest priority number wins where scopes overlap.',
  fields: (t) => ({
    priority: t.int({ required: false, description: '1 (first) to 10000; default 100.' }),
    rules: t.field({ type: [ScopeRuleInput], required: false }),
  }),
});

const BusinessHoursInput = builder.inputType('BusinessHoursInput', {
  fields: (t) => ({
    weekday: t.int({ required: true, description: '1 = Monday … 7 = Sunday.' }),
    start: t.string({ required: true, description: 'HH:MM' }),
    end: t.string({ required: true, description: 'HH:MM' }),
  }),
});

const HolidayInput = builder.inputType('HolidayInput', {
  fields: (t) => ({ day: t.field({ type: 'Date', required: true }), name: t.string({ required: true }) }),
});

const SlaClockRuleInput = builder.inputType('SlaClockRuleInput', {
  fields: (t) => ({
    clock: t.field({ type: SlaClockEnum, required: true }),
    stage: t.field({ type: LifecycleStageEnum, required: false }),
    businessMinutes: t.int({ required: true }),
    active: t.boolean({ required: false }),
  }),
});

const CadenceRulesInput = builder.inputType('CadenceRulesInput', {
  fields: (t) => ({
    allowedChannels: t.field({ type: [ContactChannelEnum], required: true }),
    maxAttempts: t.int({ required: true }),
    minIntervalBusinessMinutes: t.int({ required: true }),
    maxSpanDays: t.int({ required: true }),
    endingOutcomes: t.field({
      type: [ContactOutcomeEnum],
      required: false,
      description:
        'Outcomes that end the follow-up obligation: after one, no further attempt is due, no cadence-interval clock runs and the lead is not recycled for lack of progress. Default CONNECTED, REPLIED, MEETING_BOOKED.',
    }),
  }),
});

const ReasonCodeInput = builder.inputType('ReasonCodeInput', {
  fields: (t) => ({
    kind: t.field({ type: ReasonKindEnum, required: true }),
    code: t.string({ required: true }),
    label: t.string({ required: true }),
  }),
});

const RecycleRuleInput = builder.inputType('RecycleRuleInput', {
  fields: (t) => ({
    trigger: t.field({ type: RecycleTriggerEnum, required: true }),
    reasonCode: t.string({ required: true }),
    nurtureWorkflowKey: t.string({ required: false }),
    requalifyAfterDays: t.int({ required: false }),
  }),
});

const NurtureStepInput = builder.inputType('NurtureStepInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    content: t.string({ required: true }),
    channel: t.field({ type: ContactChannelEnum, required: false }),
    delayDays: t.int({ required: true }),
  }),
});

const NurtureEnrolmentRuleInput = builder.inputType('NurtureEnrolmentRuleInput', {
  fields: (t) => ({
    trigger: t.field({ type: EnrolmentTriggerEnum, required: true }),
    reasonCode: t.string({ required: false }),
    stage: t.field({ type: LifecycleStageEnum, required: false }),
  }),
});

const NurtureWorkflowInput = builder.inputType('NurtureWorkflowInput', {
  fields: (t) => ({
    key: t.string({ required: true }),
    name: t.string({ required: true }),
    buyingStage: t.field({ type: BuyingStageEnum, required: true }),
    active: t.boolean({ required: false }),
    steps: t.field({ type: [NurtureStepInput], required: true }),
    enrolmentRules: t.field({ type: [NurtureEnrolmentRuleInput], required: false }),
  }),
});

export const AgreementRulesInput = builder.inputType('AgreementRulesInput', {
  description: 'Parts of an agreement’s rules. Every part given replaces that part; parts left out stay as they are.',
  fields: (t) => ({
    timeZone: t.string({ required: false, description: 'IANA time zone of the business hours.' }),
    notes: t.string({ required: false, description: 'What this revision changes, and why.' }),
    goals: t.field({ type: [GoalInput], required: false }),
    stages: t.field({ type: [StageDefinitionInput], required: false }),
    transitions: t.field({ type: [AllowedTransitionInput], required: false }),
    pipelineStages: t.field({ type: [PipelineStageInput], required: false }),
    scoring: t.field({ type: LeadQualityRulesInput, required: false }),
    handoff: t.field({ type: HandoffRulesInput, required: false }),
    scope: t.field({ type: ScopeInput, required: false, description: 'Which leads the agreement governs (applied when the revision is activated).' }),
    routing: t.field({ type: RoutingRulesInput, required: false }),
    businessHours: t.field({ type: [BusinessHoursInput], required: false }),
    holidays: t.field({ type: [HolidayInput], required: false }),
    clocks: t.field({ type: [SlaClockRuleInput], required: false }),
    cadence: t.field({ type: CadenceRulesInput, required: false }),
    reasonCodes: t.field({ type: [ReasonCodeInput], required: false }),
    recycleRules: t.field({ type: [RecycleRuleInput], required: false }),
    nurtureWorkflows: t.field({ type: [NurtureWorkflowInput], required: false }),
  }),
});

/** GraphQL input → the domain's rules input: global user ids decoded, explicit nulls dropped. */
export function rulesFromInput(input: typeof AgreementRulesInput.$inferInput | null | undefined): Record<string, unknown> {
  if (!input) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === null || value === undefined) continue;
    out[key] = value;
  }
  const routing = input.routing;
  if (routing) {
    out.routing = {
      ...routing,
      ...(routing.members ? { members: routing.members.map((m) => ({ ...m, userId: m.userId.id })) } : {}),
      ...(routing.salesTeamId !== undefined ? { salesTeamId: routing.salesTeamId?.id ?? null } : {}),
    };
  }
  return out;
}
