import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { agreementRevisions } from './agreements';
import { uuidPk } from './columns';
import {
  activityType,
  contactChannel,
  contactOutcome,
  fitGrade,
  lifecycleStage,
  reasonKind,
  recycleTrigger,
  repeatPolicy,
  routingMethod,
  ruleOperator,
  scoreDimension,
  slaClock,
  temperature,
} from './enums';
import { nurtureWorkflows } from './nurture';
import { salesTeams, users } from './people';

const revisionId = () =>
  uuid('revision_id')
    .notNull()
    .references(() => agreementRevisions.id, { onDelete: 'cascade' });

/** A property filter on an activity, e.g. {"property": "url", "operator": "contains", "value": "/pricing"}. */
export interface PropertyFilter {
  property: string;
  operator: 'equals' | 'in' | 'contains' | 'range' | 'exists';
  value?: unknown;
}

/**
 * Fit rules look at who the lead is (attribute + operator + value); interest rules look at what the
 * lead does (activity type + property filters), with a repeat policy and optional decay.
 */
export const scoringRules = pgTable(
  'scoring_rules',
  {
    id: uuidPk(),
    revisionId: revisionId(),
    /** Stable name of the rule across revisions (diffs and re-scoring match rules by key). */
    key: text('key').notNull(),
    dimension: scoreDimension('dimension').notNull(),
    name: text('name').notNull(),
    /** Fit: the lead attribute tested (title, seniority, company_size, industry, country, attributes.x). */
    attribute: text('attribute'),
    operator: ruleOperator('operator'),
    /** Fit: the value(s) compared; an array for `in`, {min,max} for `range`. */
    value: jsonb('value'),
    /** Interest: the activity type that earns the points. */
    activityType: activityType('activity_type'),
    propertyFilters: jsonb('property_filters').$type<PropertyFilter[]>().notNull().default([]),
    points: integer('points').notNull(),
    repeatPolicy: repeatPolicy('repeat_policy').notNull().default('every_time'),
    repeatMax: integer('repeat_max'),
    repeatPeriodDays: integer('repeat_period_days'),
    /** Interest decay: points halve every N days; null means no decay. */
    decayHalfLifeDays: integer('decay_half_life_days'),
    active: boolean('active').notNull().default(true),
    position: integer('position').notNull().default(0),
  },
  (t) => [
    unique('scoring_rules_key_uq').on(t.revisionId, t.key),
    check(
      'scoring_rules_shape_ck',
      sql`(${t.dimension} = 'fit' AND ${t.attribute} IS NOT NULL AND ${t.operator} IS NOT NULL AND ${t.activityType} IS NULL)
       OR (${t.dimension} = 'interest' AND ${t.activityType} IS NOT NULL)`,
    ),
    check(
      'scoring_rules_repeat_ck',
      sql`${t.repeatPolicy} <> 'max_per_period' OR (${t.repeatMax} > 0 AND ${t.repeatPeriodDays} > 0)`,
    ),
    check('scoring_rules_decay_ck', sql`coalesce(${t.decayHalfLifeDays}, 1) > 0`),
  ],
);

/** MQL thresholds on both dimensions (one row per revision). */
export const scoringSettings = pgTable(
  'scoring_settings',
  {
    revisionId: revisionId().primaryKey(),
    mqlFitThreshold: integer('mql_fit_threshold').notNull(),
    mqlInterestThreshold: integer('mql_interest_threshold').notNull(),
  },
  (t) => [
    check('scoring_settings_thresholds_ck', sql`${t.mqlFitThreshold} >= 0 AND ${t.mqlInterestThreshold} >= 0`),
  ],
);

/** Cold / warm / hot from the total score: [minScore, maxScore), maxScore null for the top band. */
export const temperatureBands = pgTable(
  'temperature_bands',
  {
    id: uuidPk(),
    revisionId: revisionId(),
    temperature: temperature('temperature').notNull(),
    minScore: integer('min_score').notNull(),
    maxScore: integer('max_score'),
  },
  (t) => [
    unique('temperature_bands_uq').on(t.revisionId, t.temperature),
    check('temperature_bands_range_ck', sql`${t.maxScore} IS NULL OR ${t.maxScore} > ${t.minScore}`),
  ],
);

/** A–D fit grades from the fit score: the grade applies from minFit upwards. */
export const fitGrades = pgTable(
  'fit_grades',
  {
    id: uuidPk(),
    revisionId: revisionId(),
    grade: fitGrade('grade').notNull(),
    minFit: integer('min_fit').notNull(),
  },
  (t) => [unique('fit_grades_uq').on(t.revisionId, t.grade)],
);

/** When Marketing hands a lead to Sales (one row per revision). */
export const handoffSettings = pgTable('handoff_settings', {
  revisionId: revisionId().primaryKey(),
  handoffOnMql: boolean('handoff_on_mql').notNull().default(true),
  /** Bottom-of-funnel activities that hand the lead off at once. */
  triggerActivityTypes: activityType('trigger_activity_types').array().notNull().default(sql`'{}'`),
  /** Whether ingestion may create unknown leads from an event's identity fields. */
  createUnknownLeads: boolean('create_unknown_leads').notNull().default(true),
  /** How many recent activities travel with the hand-off webhook. */
  recentActivitiesInPayload: integer('recent_activities_in_payload').notNull().default(10),
});

/** Information Sales must receive with a hand-off; a hand-off missing it is held. */
export const handoffRequiredFields = pgTable(
  'handoff_required_fields',
  {
    id: uuidPk(),
    revisionId: revisionId(),
    field: text('field').notNull(),
    label: text('label').notNull(),
  },
  (t) => [unique('handoff_required_fields_uq').on(t.revisionId, t.field)],
);

export const routingSettings = pgTable(
  'routing_settings',
  {
    revisionId: revisionId().primaryKey(),
    method: routingMethod('method').notNull().default('weighted_round_robin'),
    skipInactive: boolean('skip_inactive').notNull().default(true),
    respectCapacity: boolean('respect_capacity').notNull().default(true),
    /** The routing pool is this sales team's active reps (with their own weight and capacity). */
    salesTeamId: uuid('sales_team_id').references(() => salesTeams.id, { onDelete: 'set null' }),
    /** The response clock follows the owner's working hours and time zone (when the rep has them). */
    ownerCalendar: boolean('owner_calendar').notNull().default(false),
    /** Where an absent rep's open leads go: to the backup, or back to routing. */
    absenceHandover: text('absence_handover').notNull().default('backup'),
  },
  (t) => [check('routing_settings_absence_ck', sql`${t.absenceHandover} in ('backup', 'routing')`)],
);

/** Reps in the routing pool with their round-robin weight. */
export const routingMembers = pgTable(
  'routing_members',
  {
    id: uuidPk(),
    revisionId: revisionId(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    weight: integer('weight').notNull().default(1),
    /** Overrides the user's routing capacity for this agreement. */
    capacity: integer('capacity'),
  },
  (t) => [
    unique('routing_members_uq').on(t.revisionId, t.userId),
    check('routing_members_weight_ck', sql`${t.weight} > 0`),
    check('routing_members_capacity_ck', sql`coalesce(${t.capacity}, 0) >= 0`),
  ],
);

/** Working hours per ISO weekday (1 = Monday … 7 = Sunday) in the revision's time zone, as minutes. */
export const businessHours = pgTable(
  'business_hours',
  {
    id: uuidPk(),
    revisionId: revisionId(),
    weekday: smallint('weekday').notNull(),
    startMinute: integer('start_minute').notNull(),
    endMinute: integer('end_minute').notNull(),
  },
  (t) => [
    unique('business_hours_uq').on(t.revisionId, t.weekday, t.startMinute),
    check('business_hours_weekday_ck', sql`${t.weekday} BETWEEN 1 AND 7`),
    check(
      'business_hours_range_ck',
      sql`${t.startMinute} >= 0 AND ${t.endMinute} <= 1440 AND ${t.endMinute} > ${t.startMinute}`,
    ),
  ],
);

export const holidays = pgTable(
  'holidays',
  {
    id: uuidPk(),
    revisionId: revisionId(),
    day: date('day', { mode: 'string' }).notNull(),
    name: text('name').notNull(),
  },
  (t) => [unique('holidays_uq').on(t.revisionId, t.day)],
);

/** SLA clocks, counted in business minutes: acceptance, response, cadence interval, time in stage. */
export const slaClockRules = pgTable(
  'sla_clock_rules',
  {
    id: uuidPk(),
    revisionId: revisionId(),
    clock: slaClock('clock').notNull(),
    /** For time_in_stage: the stage watched. */
    stage: lifecycleStage('stage'),
    businessMinutes: integer('business_minutes').notNull(),
    active: boolean('active').notNull().default(true),
  },
  (t) => [
    unique('sla_clock_rules_uq').on(t.revisionId, t.clock, t.stage).nullsNotDistinct(),
    check('sla_clock_rules_minutes_ck', sql`${t.businessMinutes} > 0`),
    check('sla_clock_rules_stage_ck', sql`(${t.clock} = 'time_in_stage') = (${t.stage} IS NOT NULL)`),
  ],
);

/** Sales' follow-up plan (one row per revision). */
export const cadenceRules = pgTable(
  'cadence_rules',
  {
    revisionId: revisionId().primaryKey(),
    allowedChannels: contactChannel('allowed_channels').array().notNull(),
    maxAttempts: integer('max_attempts').notNull(),
    minIntervalBusinessMinutes: integer('min_interval_business_minutes').notNull(),
    maxSpanDays: integer('max_span_days').notNull(),
    /** Outcomes that end the follow-up obligation: no further attempt is due, no cadence clock runs. */
    endingOutcomes: contactOutcome('ending_outcomes')
      .array()
      .notNull()
      .default(sql`'{connected,replied,meeting_booked}'`),
  },
  (t) => [
    check('cadence_rules_attempts_ck', sql`${t.maxAttempts} > 0`),
    check('cadence_rules_interval_ck', sql`${t.minIntervalBusinessMinutes} > 0`),
    check('cadence_rules_span_ck', sql`${t.maxSpanDays} > 0`),
    check('cadence_rules_channels_ck', sql`cardinality(${t.allowedChannels}) > 0`),
  ],
);

/** Why a lead goes back, is rejected or is disqualified. */
export const reasonCodes = pgTable(
  'reason_codes',
  {
    id: uuidPk(),
    revisionId: revisionId(),
    code: text('code').notNull(),
    label: text('label').notNull(),
    kind: reasonKind('kind').notNull(),
  },
  (t) => [unique('reason_codes_uq').on(t.revisionId, t.kind, t.code)],
);

/** How a lead returns to Marketing and which nurture workflow receives it. */
export const recycleRules = pgTable(
  'recycle_rules',
  {
    id: uuidPk(),
    revisionId: revisionId(),
    trigger: recycleTrigger('trigger').notNull(),
    reasonCode: text('reason_code').notNull(),
    nurtureWorkflowId: uuid('nurture_workflow_id').references(() => nurtureWorkflows.id, {
      onDelete: 'set null',
    }),
    /** Days before a recycled lead may qualify again. */
    requalifyAfterDays: integer('requalify_after_days').notNull().default(0),
  },
  (t) => [
    unique('recycle_rules_uq').on(t.revisionId, t.trigger, t.reasonCode),
    check('recycle_rules_requalify_ck', sql`${t.requalifyAfterDays} >= 0`),
  ],
);
