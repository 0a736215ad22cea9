import * as e from '../../db/schema/enums';
import { builder } from '../builder';

/** A GraphQL enum over a database enum: SCREAMING_SNAKE_CASE names, database values. */
function dbEnum<const T extends readonly string[]>(name: string, values: T, description: string) {
  return builder.enumType(name, {
    description,
    values: Object.fromEntries(
      values.map((value) => [value.toUpperCase(), { value }]),
    ) as { [K in T[number] as Uppercase<K>]: { value: K } },
  });
}

export const UserRoleEnum = dbEnum('UserRole', e.userRoles, 'What an API key may do: admin, marketing, sales or viewer.');
export const TeamEnum = dbEnum('Team', e.teams, 'The department a user works in.');
export const AgreementStatusEnum = dbEnum('AgreementStatus', e.agreementStatuses, 'Life of an agreement: draft → active → archived.');
export const RevisionStatusEnum = dbEnum('RevisionStatus', e.revisionStatuses, 'Life of a revision: draft → active → retired.');
export const LifecycleStageEnum = dbEnum(
  'LifecycleStage',
  e.lifecycleStages,
  'Where a lead is: LEAD → MQL → SQL → OPPORTUNITY → CUSTOMER, or the detours RECYCLED and DISQUALIFIED.',
);
export const ScoreDimensionEnum = dbEnum('ScoreDimension', e.scoreDimensions, 'FIT (who the lead is) or INTEREST (what the lead does).');
export const TemperatureEnum = dbEnum('Temperature', e.temperatures, 'Cold, warm or hot, from the total score and the temperature bands.');
export const FitGradeEnum = dbEnum('FitGrade', e.fitGradeValues, 'A (best fit) to D, from the fit score.');
export const HandoffStatusEnum = dbEnum('HandoffStatus', e.handoffStatuses, 'Where the hand-off to Sales stands.');
export const ActorTypeEnum = dbEnum('ActorType', e.actorTypes, 'Who made a change: the system (rules) or a user.');
export const LedgerReasonEnum = dbEnum('LedgerReason', e.ledgerReasons, 'Why points were given or taken.');
export const ActivityTypeEnum = dbEnum('ActivityType', e.activityTypes, 'Kinds of behaviour events marketing tools send.');
export const ContactChannelEnum = dbEnum('ContactChannel', e.contactChannels, 'How Sales reaches a lead.');
export const ContactOutcomeEnum = dbEnum('ContactOutcome', e.contactOutcomes, 'What came of a contact attempt.');
export const GoalMetricEnum = dbEnum('GoalMetric', e.goalMetrics, 'What a goal counts: NEW_REVENUE (minor units), WON_DEALS, OPPORTUNITIES, SQLS, MQLS, LEADS or VISITORS.');
export const OwnerSideEnum = dbEnum('OwnerSide', e.ownerSides, 'Which side owns a goal: MARKETING, SALES or SHARED.');
export const RateSourceEnum = dbEnum('RateSource', e.rateSources, 'Where the reverse funnel takes its rates: CONFIGURED on the goal, or HISTORICAL (measured over the look-back window).');
export const PipelineOutcomeEnum = dbEnum('PipelineOutcome', e.pipelineOutcomes, 'Whether an opportunity in this pipeline stage is OPEN, WON or LOST.');
export const RuleOperatorEnum = dbEnum('RuleOperator', e.ruleOperators, 'EQUALS / CONTAINS (one value), IN (a list), RANGE ({min, max}), EXISTS (no value). Text compares case-insensitively.');
export const RepeatPolicyEnum = dbEnum('RepeatPolicy', e.repeatPolicies, 'How often an interest rule scores: ONCE, EVERY_TIME, or MAX_PER_PERIOD (repeatMax per repeatPeriodDays).');
export const RoutingMethodEnum = dbEnum('RoutingMethod', e.routingMethods, 'How hand-offs find a sales owner.');
export const SlaClockEnum = dbEnum('SlaClock', e.slaClocks, 'SLA clocks: ACCEPTANCE (accept or reject a hand-off), RESPONSE (first contact attempt), CADENCE_INTERVAL (next attempt), TIME_IN_STAGE (stuck leads).');
export const ReasonKindEnum = dbEnum('ReasonKind', e.reasonKinds, 'What a reason code explains: a RECYCLE, a DISQUALIFY or a REJECT of a hand-off.');
export const RecycleTriggerEnum = dbEnum('RecycleTrigger', e.recycleTriggers, 'What sends a lead back to Marketing.');
export const BuyingStageEnum = dbEnum('BuyingStage', e.buyingStages, 'The buying stage a nurture workflow serves: AWARENESS, CONSIDERATION, DECISION.');
export const EnrolmentTriggerEnum = dbEnum('EnrolmentTrigger', e.enrolmentTriggers, 'When leads enter a nurture workflow automatically.');
export const ClockStatusEnum = dbEnum(
  'ClockStatus',
  e.clockStatuses,
  'RUNNING until MET (the awaited action came in time) or CANCELLED (nothing left to wait for: the lead left Sales, or the follow-up ended); BREACHED when it ran out (open until the obligation ends: see stoppedAt).',
);
export const HandoffStateEnum = dbEnum(
  'HandoffState',
  e.handoffStates,
  'HELD (missing information or no rep with capacity), ROUTED (with a rep, waiting for acceptance), ACCEPTED or REJECTED by Sales, WITHDRAWN (the lead left MQL another way).',
);
export const ClockVerdictEnum = builder.enumType('ClockVerdict', {
  description:
    'The one verdict of a clock, used by the KPIs, the work queue and the stuck-lead list: WITHIN (met in time), BREACHED (ran out, whether or not the scheduler has recorded it yet), CANCELLED (nothing left to wait for), PENDING (time left).',
  values: { PENDING: { value: 'pending' }, WITHIN: { value: 'within' }, BREACHED: { value: 'breached' }, CANCELLED: { value: 'cancelled' } } as const,
});
export const EnrolmentStatusEnum = dbEnum('EnrolmentStatus', e.enrolmentStatuses, 'ACTIVE, COMPLETED (all steps sent) or EXITED (handed off, or moved to another workflow).');
export const EnrolmentSourceEnum = dbEnum('EnrolmentSource', e.enrolmentSources, 'RULE (automatic) or MANUAL (by a person).');
