import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  unique,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { createdAt, tstz, updatedAt, uuidPk } from './columns';
import {
  agreementStatus,
  goalMetric,
  lifecycleStage,
  ownerSide,
  pipelineOutcome,
  rateSource,
  revisionStatus,
} from './enums';
import { users } from './people';

/** A named contract between Marketing and Sales. Its rules live in revisions. */
export const slaAgreements = pgTable(
  'sla_agreements',
  {
    id: uuidPk(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    status: agreementStatus('status').notNull().default('draft'),
    /** Optional segment of leads the agreement covers, e.g. {"country": ["US","CA"]}. */
    segment: jsonb('segment').$type<Record<string, unknown>>(),
    activeRevisionId: uuid('active_revision_id').references((): AnyPgColumn => agreementRevisions.id, {
      onDelete: 'set null',
    }),
    createdById: uuid('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    archivedAt: tstz('archived_at'),
  },
  (t) => [
    uniqueIndex('sla_agreements_name_uq').on(sql`lower(${t.name})`),
    index('sla_agreements_status_idx').on(t.status),
    check(
      'sla_agreements_active_has_revision_ck',
      sql`${t.status} <> 'active' OR ${t.activeRevisionId} IS NOT NULL`,
    ),
  ],
);

/**
 * One version of an agreement's rules. At most one draft and one active revision per agreement;
 * activating a draft retires the active one. Time zone and business hours belong to the revision
 * because they change SLA clocks.
 */
export const agreementRevisions = pgTable(
  'agreement_revisions',
  {
    id: uuidPk(),
    agreementId: uuid('agreement_id')
      .notNull()
      .references(() => slaAgreements.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    status: revisionStatus('status').notNull().default('draft'),
    timeZone: text('time_zone').notNull().default('UTC'),
    notes: text('notes').notNull().default(''),
    /**
     * Which leads the agreement governs once this revision is active: rules on lead fields (all must
     * match; none = every lead) and a priority (the lowest number wins where scopes overlap).
     */
    scopePriority: integer('scope_priority').notNull().default(100),
    scopeRules: jsonb('scope_rules').$type<{ attribute: string; operator: string; value?: unknown }[]>().notNull().default([]),
    basedOnRevisionId: uuid('based_on_revision_id').references((): AnyPgColumn => agreementRevisions.id, {
      onDelete: 'set null',
    }),
    createdById: uuid('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    activatedAt: tstz('activated_at'),
    activatedById: uuid('activated_by_id').references(() => users.id, { onDelete: 'set null' }),
    retiredAt: tstz('retired_at'),
  },
  (t) => [
    unique('agreement_revisions_number_uq').on(t.agreementId, t.number),
    uniqueIndex('agreement_revisions_one_active_uq')
      .on(t.agreementId)
      .where(sql`${t.status} = 'active'`),
    uniqueIndex('agreement_revisions_one_draft_uq')
      .on(t.agreementId)
      .where(sql`${t.status} = 'draft'`),
    check('agreement_revisions_number_ck', sql`${t.number} >= 1`),
  ],
);

/** Audit trail: every change to an agreement or its rules, with before/after. */
export const agreementChanges = pgTable(
  'agreement_changes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    agreementId: uuid('agreement_id')
      .notNull()
      .references(() => slaAgreements.id, { onDelete: 'cascade' }),
    revisionId: uuid('revision_id').references(() => agreementRevisions.id, { onDelete: 'set null' }),
    actorUserId: uuid('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    /** e.g. create, update, delete, activate, archive. */
    action: text('action').notNull(),
    /** The kind of thing changed, e.g. scoring_rule, goal, revision. */
    entity: text('entity').notNull(),
    entityId: text('entity_id'),
    before: jsonb('before'),
    after: jsonb('after'),
    at: createdAt(),
  },
  (t) => [
    index('agreement_changes_agreement_at_idx').on(t.agreementId, t.at),
    index('agreement_changes_revision_idx').on(t.revisionId),
  ],
);

/** SMART goals with the rates the reverse funnel uses. */
export const goals = pgTable(
  'goals',
  {
    id: uuidPk(),
    revisionId: uuid('revision_id')
      .notNull()
      .references(() => agreementRevisions.id, { onDelete: 'cascade' }),
    /** Stable name of the goal across revisions. */
    key: text('key').notNull(),
    name: text('name').notNull(),
    metric: goalMetric('metric').notNull(),
    /** In minor units for new_revenue, a count otherwise. */
    target: bigint('target', { mode: 'number' }).notNull(),
    currency: text('currency').notNull().default('USD'),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    periodEnd: date('period_end', { mode: 'string' }).notNull(),
    ownerSide: ownerSide('owner_side').notNull(),
    averageDealSizeMinor: bigint('average_deal_size_minor', { mode: 'number' }),
    rateSource: rateSource('rate_source').notNull().default('configured'),
    lookbackDays: integer('lookback_days').notNull().default(180),
    visitorToLeadRate: numeric('visitor_to_lead_rate', { precision: 7, scale: 6, mode: 'number' }),
    leadToMqlRate: numeric('lead_to_mql_rate', { precision: 7, scale: 6, mode: 'number' }),
    mqlToSqlRate: numeric('mql_to_sql_rate', { precision: 7, scale: 6, mode: 'number' }),
    sqlToOpportunityRate: numeric('sql_to_opportunity_rate', { precision: 7, scale: 6, mode: 'number' }),
    winRate: numeric('win_rate', { precision: 7, scale: 6, mode: 'number' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('goals_key_uq').on(t.revisionId, t.key),
    check('goals_period_ck', sql`${t.periodEnd} >= ${t.periodStart}`),
    check('goals_target_ck', sql`${t.target} > 0`),
    check('goals_lookback_ck', sql`${t.lookbackDays} > 0`),
    check(
      'goals_rates_ck',
      sql`coalesce(${t.visitorToLeadRate}, 1) > 0 AND coalesce(${t.visitorToLeadRate}, 1) <= 1
      AND coalesce(${t.leadToMqlRate}, 1) > 0 AND coalesce(${t.leadToMqlRate}, 1) <= 1
      AND coalesce(${t.mqlToSqlRate}, 1) > 0 AND coalesce(${t.mqlToSqlRate}, 1) <= 1
      AND coalesce(${t.sqlToOpportunityRate}, 1) > 0 AND coalesce(${t.sqlToOpportunityRate}, 1) <= 1
      AND coalesce(${t.winRate}, 1) > 0 AND coalesce(${t.winRate}, 1) <= 1`,
    ),
  ],
);

/** What each lifecycle stage means: the agreed text and the machine criteria. */
export const stageDefinitions = pgTable(
  'stage_definitions',
  {
    id: uuidPk(),
    revisionId: uuid('revision_id')
      .notNull()
      .references(() => agreementRevisions.id, { onDelete: 'cascade' }),
    stage: lifecycleStage('stage').notNull(),
    name: text('name').notNull(),
    definition: text('definition').notNull(),
    /** Machine-checkable criteria, e.g. {"minFit": 40, "minInterest": 30}. */
    criteria: jsonb('criteria').$type<Record<string, unknown>>().notNull().default({}),
    position: integer('position').notNull(),
    /** Longest a lead may stay in the stage before the stuck-lead clock breaches (business hours). */
    maxBusinessHoursInStage: integer('max_business_hours_in_stage'),
  },
  (t) => [
    unique('stage_definitions_stage_uq').on(t.revisionId, t.stage),
    check('stage_definitions_max_hours_ck', sql`coalesce(${t.maxBusinessHoursInStage}, 1) > 0`),
  ],
);

/** The stage machine: the moves allowed under a revision. Any other move is refused. */
export const stageTransitionRules = pgTable(
  'stage_transition_rules',
  {
    id: uuidPk(),
    revisionId: uuid('revision_id')
      .notNull()
      .references(() => agreementRevisions.id, { onDelete: 'cascade' }),
    fromStage: lifecycleStage('from_stage').notNull(),
    toStage: lifecycleStage('to_stage').notNull(),
    requiresReason: boolean('requires_reason').notNull().default(false),
    /** Whether the system may make this move automatically (e.g. lead → mql by score). */
    automatic: boolean('automatic').notNull().default(false),
  },
  (t) => [
    unique('stage_transition_rules_uq').on(t.revisionId, t.fromStage, t.toStage),
    check('stage_transition_rules_distinct_ck', sql`${t.fromStage} <> ${t.toStage}`),
  ],
);

/** Sales pipeline stages for opportunities. */
export const pipelineStages = pgTable(
  'pipeline_stages',
  {
    id: uuidPk(),
    revisionId: uuid('revision_id')
      .notNull()
      .references(() => agreementRevisions.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    name: text('name').notNull(),
    position: integer('position').notNull(),
    /** Win probability 0–1 used for weighted pipeline. */
    probability: numeric('probability', { precision: 4, scale: 3, mode: 'number' }).notNull(),
    outcome: pipelineOutcome('outcome').notNull().default('open'),
  },
  (t) => [
    unique('pipeline_stages_key_uq').on(t.revisionId, t.key),
    check('pipeline_stages_probability_ck', sql`${t.probability} >= 0 AND ${t.probability} <= 1`),
  ],
);

/** Visitors are anonymous: they arrive as daily counts per source. */
export const dailyTraffic = pgTable(
  'daily_traffic',
  {
    day: date('day', { mode: 'string' }).notNull(),
    source: text('source').notNull(),
    visitors: integer('visitors').notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ name: 'daily_traffic_pk', columns: [t.day, t.source] }),
    check('daily_traffic_visitors_ck', sql`${t.visitors} >= 0`),
  ],
);
