import type { RulesDocument } from '../../domain/agreements/document';
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
import { SalesTeamRef, UserRef } from './refs';

// Read side of the rules: one object type per part of the rules document (domain/agreements).

type Doc = RulesDocument;
const rules = { authScopes: { authenticated: true } } as const;

export const FunnelRatesRef = builder.objectRef<Doc['goals'][number]['rates']>('FunnelRates').implement({
  description: 'Stage-to-stage conversion rates (0–1) for the reverse funnel; null where not configured.',
  fields: (t) => ({
    visitorToLead: t.exposeFloat('visitorToLead', { nullable: true }),
    leadToMql: t.exposeFloat('leadToMql', { nullable: true }),
    mqlToSql: t.exposeFloat('mqlToSql', { nullable: true }),
    sqlToOpportunity: t.exposeFloat('sqlToOpportunity', { nullable: true }),
    winRate: t.exposeFloat('winRate', { nullable: true, description: 'Opportunity → won deal.' }),
  }),
});

export const GoalRef = builder.objectRef<Doc['goals'][number] & { revisionId: string; agreementId: string }>('Goal');

export const StageDefinitionRef = builder.objectRef<Doc['stages'][number]>('StageDefinition').implement({
  description: 'What a lifecycle stage means: the text both sides agreed on and the machine criteria.',
  fields: (t) => ({
    stage: t.field({ type: LifecycleStageEnum, resolve: (s) => s.stage }),
    name: t.exposeString('name'),
    definition: t.exposeString('definition', { description: 'The agreed wording.' }),
    criteria: t.field({ type: 'JSON', description: 'Machine-checkable criteria.', resolve: (s) => s.criteria }),
    maxBusinessHoursInStage: t.exposeInt('maxBusinessHoursInStage', { nullable: true, description: 'A lead longer in the stage is stuck.' }),
  }),
});

export const AllowedTransitionRef = builder.objectRef<Doc['transitions'][number]>('AllowedTransition').implement({
  description: 'A move the stage machine allows; any other move is refused.',
  fields: (t) => ({
    from: t.field({ type: LifecycleStageEnum, resolve: (x) => x.from }),
    to: t.field({ type: LifecycleStageEnum, resolve: (x) => x.to }),
    requiresReason: t.exposeBoolean('requiresReason', { description: 'The move needs a reason code.' }),
    automatic: t.exposeBoolean('automatic', { description: 'The system may make the move by itself (e.g. LEAD → MQL by score).' }),
  }),
});

export const PipelineStageRef = builder.objectRef<Doc['pipelineStages'][number]>('PipelineStage').implement({
  description: 'A stage of the sales pipeline for opportunities.',
  fields: (t) => ({
    key: t.exposeString('key'),
    name: t.exposeString('name'),
    probability: t.exposeFloat('probability', { description: 'Win probability 0–1.' }),
    outcome: t.field({ type: PipelineOutcomeEnum, resolve: (s) => s.outcome }),
  }),
});

export const PropertyFilterRef = builder.objectRef<Doc['scoring']['rules'][number]['propertyFilters'][number]>('PropertyFilter').implement({
  description: 'A condition on an activity property, e.g. url CONTAINS "/pricing".',
  fields: (t) => ({
    property: t.exposeString('property'),
    operator: t.field({ type: RuleOperatorEnum, resolve: (f) => f.operator }),
    value: t.field({ type: 'JSON', nullable: true, resolve: (f) => f.value ?? null }),
  }),
});

export const ScoringRuleRef = builder.objectRef<Doc['scoring']['rules'][number]>('ScoringRule').implement({
  description: 'FIT rules test who the lead is; INTEREST rules score what the lead does.',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'Stable across revisions.' }),
    name: t.exposeString('name'),
    dimension: t.field({ type: ScoreDimensionEnum, resolve: (r) => r.dimension }),
    attribute: t.exposeString('attribute', { nullable: true, description: 'FIT: the lead attribute tested (title, company_size, attributes.x…).' }),
    operator: t.field({ type: RuleOperatorEnum, nullable: true, resolve: (r) => r.operator }),
    value: t.field({ type: 'JSON', nullable: true, resolve: (r) => r.value }),
    activityType: t.field({ type: ActivityTypeEnum, nullable: true, description: 'INTEREST: the activity scored.', resolve: (r) => r.activityType }),
    propertyFilters: t.field({ type: [PropertyFilterRef], resolve: (r) => r.propertyFilters }),
    points: t.exposeInt('points', { description: 'Negative points are allowed (e.g. unsubscribe).' }),
    repeatPolicy: t.field({ type: RepeatPolicyEnum, resolve: (r) => r.repeatPolicy }),
    repeatMax: t.exposeInt('repeatMax', { nullable: true }),
    repeatPeriodDays: t.exposeInt('repeatPeriodDays', { nullable: true }),
    decayHalfLifeDays: t.exposeInt('decayHalfLifeDays', { nullable: true, description: 'Points halve every this many days; null = no decay.' }),
    active: t.exposeBoolean('active'),
  }),
});

export const TemperatureBandRef = builder.objectRef<Doc['scoring']['temperatureBands'][number]>('TemperatureBand').implement({
  description: 'Total scores in [minScore, maxScore) have this temperature; the top band is open-ended.',
  fields: (t) => ({
    temperature: t.field({ type: TemperatureEnum, resolve: (b) => b.temperature }),
    minScore: t.exposeInt('minScore'),
    maxScore: t.exposeInt('maxScore', { nullable: true }),
  }),
});

export const FitGradeRuleRef = builder.objectRef<Doc['scoring']['fitGrades'][number]>('FitGradeThreshold').implement({
  description: 'A fit score of at least minFit earns this grade.',
  fields: (t) => ({
    grade: t.field({ type: FitGradeEnum, resolve: (g) => g.grade }),
    minFit: t.exposeInt('minFit'),
  }),
});

export const ScoringRef = builder.objectRef<Doc['scoring']>('LeadQualityRules').implement({
  description: 'Lead quality: scoring rules, MQL thresholds on both dimensions, temperature bands and fit grades.',
  fields: (t) => ({
    mqlFitThreshold: t.exposeInt('mqlFitThreshold', { description: 'A lead is MQL when fit ≥ this AND interest ≥ mqlInterestThreshold.' }),
    mqlInterestThreshold: t.exposeInt('mqlInterestThreshold'),
    rules: t.field({ type: [ScoringRuleRef], resolve: (s) => s.rules }),
    temperatureBands: t.field({ type: [TemperatureBandRef], resolve: (s) => s.temperatureBands }),
    fitGrades: t.field({ type: [FitGradeRuleRef], resolve: (s) => s.fitGrades }),
  }),
});

const RequiredFieldRef = builder.objectRef<Doc['handoff']['requiredFields'][number]>('HandoffRequiredField').implement({
  description: 'Information Sales must receive; a hand-off without it is held.',
  fields: (t) => ({ field: t.exposeString('field'), label: t.exposeString('label') }),
});

export const HandoffRef = builder.objectRef<Doc['handoff']>('HandoffRules').implement({
  description: 'When and how Marketing hands a lead to Sales.',
  fields: (t) => ({
    handoffOnMql: t.exposeBoolean('handoffOnMql', { description: 'Hand off as soon as the lead becomes MQL by score.' }),
    triggerActivityTypes: t.field({
      type: [ActivityTypeEnum],
      description: 'Bottom-of-funnel activities that hand the lead off at once (demo, trial, consultation requests…).',
      resolve: (h) => h.triggerActivityTypes,
    }),
    createUnknownLeads: t.exposeBoolean('createUnknownLeads', { description: 'Events for unknown e-mails create the lead.' }),
    recentActivitiesInPayload: t.exposeInt('recentActivitiesInPayload'),
    requiredFields: t.field({ type: [RequiredFieldRef], resolve: (h) => h.requiredFields }),
  }),
});

const RoutingMemberRef = builder.objectRef<Doc['routing']['members'][number]>('RoutingMember').implement({
  description: 'A sales rep in the routing pool.',
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (m) => m.userId }),
    weight: t.exposeInt('weight', { description: 'Round-robin weight: 2 gets twice the leads of 1.' }),
    capacity: t.exposeInt('capacity', { nullable: true, description: 'Open hand-offs the rep can hold; null = the user’s routing capacity.' }),
  }),
});

export const AbsenceHandoverEnum = builder.enumType('AbsenceHandover', {
  description: 'Where a rep’s due leads go when an out-of-office period begins.',
  values: {
    BACKUP: { value: 'backup', description: 'To the backup named on the absence, else the rep’s backup (routing when there is none, or the backup is away too).' },
    ROUTING: { value: 'routing', description: 'Back to routing: the next rep in the pool with capacity.' },
  } as const,
});

export const RoutingRef = builder.objectRef<Doc['routing']>('RoutingRules').implement({
  description: 'How hand-offs are routed to sales owners.',
  fields: (t) => ({
    method: t.field({ type: RoutingMethodEnum, resolve: (r) => r.method }),
    skipInactive: t.exposeBoolean('skipInactive', { description: 'Kept for compatibility: inactive and out-of-office reps never get leads.' }),
    respectCapacity: t.exposeBoolean('respectCapacity'),
    salesTeam: t.field({
      type: SalesTeamRef,
      nullable: true,
      description: 'The pool is this team’s sales reps, each with their own routing weight and capacity; members add reps or override them.',
      resolve: (r) => r.salesTeamId,
    }),
    ownerCalendar: t.exposeBoolean('ownerCalendar', { description: 'The response clock follows the owner’s working hours and time zone (reps without working hours use the agreement’s).' }),
    absenceHandover: t.field({ type: AbsenceHandoverEnum, resolve: (r) => r.absenceHandover }),
    members: t.field({ type: [RoutingMemberRef], resolve: (r) => r.members }),
  }),
});

const ScopeRuleRef = builder.objectRef<Doc['scope']['rules'][number]>('ScopeRule').implement({
  description: 'One condition on a lead field, with the fit rules’ operators.',
  fields: (t) => ({
    attribute: t.exposeString('attribute', { description: 'source, country, company_size, industry, title, seniority, department, or attributes.<name>.' }),
    operator: t.field({ type: RuleOperatorEnum, resolve: (r) => r.operator }),
    value: t.field({ type: 'JSON', nullable: true, resolve: (r) => r.value ?? null }),
  }),
});

export const ScopeRef = builder.objectRef<Doc['scope']>('AgreementScope').implement({
  description:
    'Which leads the agreement governs when this revision is active: every rule must match (no rules: every lead). Where several active agreements match a lead, the lowest priority number governs (ties: the older agreement).',
  fields: (t) => ({
    priority: t.exposeInt('priority'),
    rules: t.field({ type: [ScopeRuleRef], resolve: (s) => s.rules }),
  }),
});

export const BusinessHoursRef = builder.objectRef<Doc['businessHours'][number]>('BusinessHours').implement({
  description: 'Working hours on one weekday, in the revision’s time zone.',
  fields: (t) => ({
    weekday: t.exposeInt('weekday', { description: '1 = Monday … 7 = Sunday.' }),
    start: t.exposeString('start', { description: 'HH:MM' }),
    end: t.exposeString('end', { description: 'HH:MM' }),
  }),
});

export const HolidayRef = builder.objectRef<Doc['holidays'][number]>('Holiday').implement({
  description: 'A day SLA clocks do not count.',
  fields: (t) => ({ day: t.field({ type: 'Date', resolve: (h) => h.day }), name: t.exposeString('name') }),
});

export const ClockRuleRef = builder.objectRef<Doc['clocks'][number]>('SlaClockRule').implement({
  description: 'An SLA clock, counted in business minutes.',
  fields: (t) => ({
    clock: t.field({ type: SlaClockEnum, resolve: (c) => c.clock }),
    stage: t.field({ type: LifecycleStageEnum, nullable: true, description: 'TIME_IN_STAGE: the stage watched.', resolve: (c) => c.stage }),
    businessMinutes: t.exposeInt('businessMinutes'),
    active: t.exposeBoolean('active'),
  }),
});

export const CadenceRef = builder.objectRef<NonNullable<Doc['cadence']>>('CadenceRules').implement({
  description: 'Sales’ follow-up plan.',
  fields: (t) => ({
    allowedChannels: t.field({ type: [ContactChannelEnum], resolve: (c) => c.allowedChannels }),
    maxAttempts: t.exposeInt('maxAttempts', { description: 'Attempts without progress before the lead goes back to Marketing.' }),
    minIntervalBusinessMinutes: t.exposeInt('minIntervalBusinessMinutes'),
    maxSpanDays: t.exposeInt('maxSpanDays'),
    endingOutcomes: t.field({
      type: [ContactOutcomeEnum],
      description: 'Outcomes that end the follow-up obligation: no further attempt is due and no cadence-interval clock runs.',
      resolve: (c) => c.endingOutcomes,
    }),
  }),
});

export const ReasonCodeRef = builder.objectRef<Doc['reasonCodes'][number]>('ReasonCode').implement({
  description: 'An agreed reason for recycling, disqualifying or rejecting a lead.',
  fields: (t) => ({
    kind: t.field({ type: ReasonKindEnum, resolve: (r) => r.kind }),
    code: t.exposeString('code'),
    label: t.exposeString('label'),
  }),
});

export const RecycleRuleRef = builder.objectRef<Doc['recycleRules'][number]>('RecycleRule').implement({
  description: 'How a lead goes back to Marketing, and which nurture workflow receives it.',
  fields: (t) => ({
    trigger: t.field({ type: RecycleTriggerEnum, resolve: (r) => r.trigger }),
    reasonCode: t.exposeString('reasonCode'),
    nurtureWorkflowKey: t.exposeString('nurtureWorkflowKey', { nullable: true }),
    requalifyAfterDays: t.exposeInt('requalifyAfterDays'),
  }),
});

const NurtureStepRef = builder.objectRef<Doc['nurtureWorkflows'][number]['steps'][number]>('NurtureStep').implement({
  description: 'One touch of a nurture workflow, sent after delayDays.',
  fields: (t) => ({
    name: t.exposeString('name'),
    content: t.exposeString('content'),
    channel: t.field({ type: ContactChannelEnum, resolve: (s) => s.channel }),
    delayDays: t.exposeInt('delayDays'),
  }),
});

const EnrolmentRuleRef = builder.objectRef<Doc['nurtureWorkflows'][number]['enrolmentRules'][number]>('NurtureEnrolmentRule').implement({
  description: 'When leads enter the workflow automatically.',
  fields: (t) => ({
    trigger: t.field({ type: EnrolmentTriggerEnum, resolve: (r) => r.trigger }),
    reasonCode: t.exposeString('reasonCode', { nullable: true }),
    stage: t.field({ type: LifecycleStageEnum, nullable: true, resolve: (r) => r.stage }),
  }),
});

export const NurtureWorkflowRef = builder.objectRef<Doc['nurtureWorkflows'][number]>('NurtureWorkflow').implement({
  description: 'Marketing’s sequence of touches for one buying stage.',
  fields: (t) => ({
    key: t.exposeString('key'),
    name: t.exposeString('name'),
    buyingStage: t.field({ type: BuyingStageEnum, resolve: (w) => w.buyingStage }),
    active: t.exposeBoolean('active'),
    steps: t.field({ type: [NurtureStepRef], resolve: (w) => w.steps }),
    enrolmentRules: t.field({ type: [EnrolmentRuleRef], resolve: (w) => w.enrolmentRules }),
  }),
});

export { rules as rulesScopes, GoalMetricEnum, OwnerSideEnum, RateSourceEnum };
