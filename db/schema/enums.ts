import { pgEnum } from 'drizzle-orm/pg-core';

// Vocabulary shared by the database, the domain and the GraphQL enums. Values are lower snake case
// in the database; the API exposes them in SCREAMING_SNAKE_CASE.

export const userRoles = ['admin', 'marketing', 'sales', 'viewer'] as const;
export type UserRole = (typeof userRoles)[number];
export const userRole = pgEnum('user_role', userRoles);

export const teams = ['marketing', 'sales', 'admin'] as const;
export type Team = (typeof teams)[number];
export const team = pgEnum('team', teams);

export const agreementStatuses = ['draft', 'active', 'archived'] as const;
export type AgreementStatus = (typeof agreementStatuses)[number];
export const agreementStatus = pgEnum('agreement_status', agreementStatuses);

export const revisionStatuses = ['draft', 'active', 'retired'] as const;
export type RevisionStatus = (typeof revisionStatuses)[number];
export const revisionStatus = pgEnum('revision_status', revisionStatuses);

export const lifecycleStages = [
  'lead',
  'mql',
  'sql',
  'opportunity',
  'customer',
  'recycled',
  'disqualified',
] as const;
export type LifecycleStage = (typeof lifecycleStages)[number];
export const lifecycleStage = pgEnum('lifecycle_stage', lifecycleStages);

export const goalMetrics = [
  'new_revenue',
  'won_deals',
  'opportunities',
  'sqls',
  'mqls',
  'leads',
  'visitors',
] as const;
export type GoalMetric = (typeof goalMetrics)[number];
export const goalMetric = pgEnum('goal_metric', goalMetrics);

export const ownerSides = ['marketing', 'sales', 'shared'] as const;
export type OwnerSide = (typeof ownerSides)[number];
export const ownerSide = pgEnum('owner_side', ownerSides);

export const rateSources = ['configured', 'historical'] as const;
export type RateSource = (typeof rateSources)[number];
export const rateSource = pgEnum('rate_source', rateSources);

export const pipelineOutcomes = ['open', 'won', 'lost'] as const;
export type PipelineOutcome = (typeof pipelineOutcomes)[number];
export const pipelineOutcome = pgEnum('pipeline_outcome', pipelineOutcomes);

export const scoreDimensions = ['fit', 'interest'] as const;
export type ScoreDimension = (typeof scoreDimensions)[number];
export const scoreDimension = pgEnum('score_dimension', scoreDimensions);

export const ruleOperators = ['equals', 'in', 'contains', 'range', 'exists'] as const;
export type RuleOperator = (typeof ruleOperators)[number];
export const ruleOperator = pgEnum('rule_operator', ruleOperators);

export const repeatPolicies = ['once', 'every_time', 'max_per_period'] as const;
export type RepeatPolicy = (typeof repeatPolicies)[number];
export const repeatPolicy = pgEnum('repeat_policy', repeatPolicies);

export const activityTypes = [
  'page_view',
  'pricing_page_view',
  'email_open',
  'email_click',
  'form_submit',
  'content_download',
  'webinar_registration',
  'webinar_attendance',
  'demo_request',
  'trial_request',
  'consultation_request',
  'unsubscribe',
  'email_bounce',
] as const;
export type ActivityType = (typeof activityTypes)[number];
export const activityType = pgEnum('activity_type', activityTypes);

export const temperatures = ['cold', 'warm', 'hot'] as const;
export type Temperature = (typeof temperatures)[number];
export const temperature = pgEnum('temperature', temperatures);

export const fitGradeValues = ['A', 'B', 'C', 'D'] as const;
export type FitGrade = (typeof fitGradeValues)[number];
export const fitGrade = pgEnum('fit_grade', fitGradeValues);

export const routingMethods = ['weighted_round_robin', 'manual'] as const;
export type RoutingMethod = (typeof routingMethods)[number];
export const routingMethod = pgEnum('routing_method', routingMethods);

export const slaClocks = ['acceptance', 'response', 'cadence_interval', 'time_in_stage'] as const;
export type SlaClock = (typeof slaClocks)[number];
export const slaClock = pgEnum('sla_clock', slaClocks);

export const clockStatuses = ['running', 'met', 'breached', 'cancelled'] as const;
export type ClockStatus = (typeof clockStatuses)[number];
export const clockStatus = pgEnum('clock_status', clockStatuses);

export const contactChannels = ['phone', 'email', 'video', 'social', 'sms'] as const;
export type ContactChannel = (typeof contactChannels)[number];
export const contactChannel = pgEnum('contact_channel', contactChannels);

export const contactOutcomes = [
  'connected',
  'voicemail',
  'no_answer',
  'email_sent',
  'replied',
  'meeting_booked',
  'wrong_contact',
  'not_interested',
  'bad_timing',
] as const;
export type ContactOutcome = (typeof contactOutcomes)[number];
export const contactOutcome = pgEnum('contact_outcome', contactOutcomes);

export const reasonKinds = ['recycle', 'disqualify', 'reject'] as const;
export type ReasonKind = (typeof reasonKinds)[number];
export const reasonKind = pgEnum('reason_kind', reasonKinds);

export const recycleTriggers = ['max_attempts', 'max_span', 'manual', 'rejected'] as const;
export type RecycleTrigger = (typeof recycleTriggers)[number];
export const recycleTrigger = pgEnum('recycle_trigger', recycleTriggers);

export const buyingStages = ['awareness', 'consideration', 'decision'] as const;
export type BuyingStage = (typeof buyingStages)[number];
export const buyingStage = pgEnum('buying_stage', buyingStages);

export const enrolmentTriggers = ['on_recycle', 'new_lead', 'stage_entered'] as const;
export type EnrolmentTrigger = (typeof enrolmentTriggers)[number];
export const enrolmentTrigger = pgEnum('enrolment_trigger', enrolmentTriggers);

export const enrolmentSources = ['rule', 'manual'] as const;
export type EnrolmentSource = (typeof enrolmentSources)[number];
export const enrolmentSource = pgEnum('enrolment_source', enrolmentSources);

export const enrolmentStatuses = ['active', 'completed', 'exited'] as const;
export type EnrolmentStatus = (typeof enrolmentStatuses)[number];
export const enrolmentStatus = pgEnum('enrolment_status', enrolmentStatuses);

export const handoffStatuses = ['none', 'held', 'routed', 'accepted', 'rejected'] as const;
export type HandoffStatus = (typeof handoffStatuses)[number];
export const handoffStatus = pgEnum('handoff_status', handoffStatuses);

/**
 * One hand-off's state (handoffs.state): HELD waiting for missing information or a rep with
 * capacity; ROUTED with a rep, waiting for acceptance; ACCEPTED or REJECTED by Sales; WITHDRAWN when
 * the lead left MQL another way (recycled by the cadence, disqualified while held, moved by hand).
 */
export const handoffStates = ['held', 'routed', 'accepted', 'rejected', 'withdrawn'] as const;
export type HandoffState = (typeof handoffStates)[number];
export const handoffState = pgEnum('handoff_state', handoffStates);

export const actorTypes = ['system', 'user'] as const;
export type ActorType = (typeof actorTypes)[number];
export const actorType = pgEnum('actor_type', actorTypes);

export const ledgerReasons = ['fit_rule', 'interest_rule', 'decay', 'rescore', 'manual'] as const;
export type LedgerReason = (typeof ledgerReasons)[number];
export const ledgerReason = pgEnum('ledger_reason', ledgerReasons);

export const deliveryStatuses = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];
export const deliveryStatus = pgEnum('delivery_status', deliveryStatuses);

export const leadSources = [
  'organic_search',
  'paid_search',
  'social',
  'email',
  'referral',
  'events',
  'partner',
  'direct',
] as const;
export type LeadSource = (typeof leadSources)[number];
