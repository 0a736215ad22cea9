import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { agreementRevisions, slaAgreements } from './agreements';
import { createdAt, tstz, updatedAt, uuidPk } from './columns';
import {
  activityType,
  actorType,
  contactChannel,
  contactOutcome,
  fitGrade,
  handoffStatus,
  ledgerReason,
  lifecycleStage,
  pipelineOutcome,
  scoreDimension,
  temperature,
} from './enums';
import { users } from './people';
import { scoringRules } from './rules';

/** Companies; leads join them by e-mail domain. */
export const accounts = pgTable(
  'accounts',
  {
    id: uuidPk(),
    name: text('name').notNull(),
    domain: text('domain').notNull(),
    industry: text('industry'),
    employeeCount: integer('employee_count'),
    country: text('country'),
    isTarget: boolean('is_target').notNull().default(false),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('accounts_domain_uq').on(sql`lower(${t.domain})`),
    index('accounts_name_idx').on(t.name),
    check('accounts_employee_count_ck', sql`coalesce(${t.employeeCount}, 0) >= 0`),
  ],
);

/**
 * A person Marketing brought in. Scores are kept on the row for filtering and ordering; the score
 * ledger is the source of truth and the two always agree.
 */
export const leads = pgTable(
  'leads',
  {
    id: uuidPk(),
    externalId: text('external_id'),
    email: text('email').notNull(),
    firstName: text('first_name'),
    lastName: text('last_name'),
    phone: text('phone'),
    title: text('title'),
    seniority: text('seniority'),
    department: text('department'),
    companyName: text('company_name'),
    companySize: integer('company_size'),
    industry: text('industry'),
    country: text('country'),
    source: text('source').notNull(),
    /** Any custom attribute for fit rules. */
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    accountId: uuid('account_id').references(() => accounts.id, { onDelete: 'set null' }),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    agreementId: uuid('agreement_id').references(() => slaAgreements.id, { onDelete: 'set null' }),
    /** The revision the current scores and stage were computed under. */
    revisionId: uuid('revision_id').references(() => agreementRevisions.id, { onDelete: 'set null' }),
    stage: lifecycleStage('stage').notNull().default('lead'),
    stageChangedAt: tstz('stage_changed_at').notNull().defaultNow(),
    fitScore: integer('fit_score').notNull().default(0),
    interestScore: integer('interest_score').notNull().default(0),
    scoredAt: tstz('scored_at'),
    temperature: temperature('temperature').notNull().default('cold'),
    fitGrade: fitGrade('fit_grade').notNull().default('D'),
    handoffStatus: handoffStatus('handoff_status').notNull().default('none'),
    handoffMissingFields: text('handoff_missing_fields').array().notNull().default(sql`'{}'`),
    handedOffAt: tstz('handed_off_at'),
    lastActivityAt: tstz('last_activity_at'),
    /** Optimistic-concurrency version, bumped on every change of stage or owner. */
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('leads_email_uq').on(sql`lower(${t.email})`),
    uniqueIndex('leads_external_id_uq')
      .on(t.externalId)
      .where(sql`${t.externalId} IS NOT NULL`),
    // Keyset pagination of the lead list and the creation-cohort reports.
    index('leads_created_idx').on(t.createdAt, t.id),
    // Every other `leads(orderBy:)` has its own keyset index, and a rep's own list (owner filter)
    // newest first has one too: no ordering scans and sorts the table.
    index('leads_score_order_idx').on(sql`(${t.fitScore} + ${t.interestScore})`, t.id),
    index('leads_stage_changed_order_idx').on(t.stageChangedAt, t.id),
    index('leads_owner_created_idx').on(t.ownerId, t.createdAt, t.id),
    index('leads_stage_idx').on(t.stage, t.stageChangedAt),
    index('leads_owner_stage_idx').on(t.ownerId, t.stage),
    index('leads_account_idx').on(t.accountId),
    index('leads_source_created_idx').on(t.source, t.createdAt),
    index('leads_agreement_stage_idx').on(t.agreementId, t.stage),
    index('leads_temperature_idx').on(t.temperature),
    check('leads_email_ck', sql`position('@' in ${t.email}) > 1`),
  ],
);

/** Behaviour events from marketing tools; the client event id makes ingestion idempotent. */
export const activities = pgTable(
  'activities',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    clientEventId: text('client_event_id').notNull(),
    leadId: uuid('lead_id')
      .notNull()
      .references(() => leads.id, { onDelete: 'cascade' }),
    type: activityType('type').notNull(),
    occurredAt: tstz('occurred_at').notNull(),
    receivedAt: createdAt(),
    /** Free-form properties: url, campaign, asset, utm_* … */
    properties: jsonb('properties').$type<Record<string, unknown>>().notNull().default({}),
    /** The tool that sent the event (mautic, hubspot, website…). */
    sourceSystem: text('source_system'),
  },
  (t) => [
    uniqueIndex('activities_client_event_uq').on(t.clientEventId),
    index('activities_lead_time_idx').on(t.leadId, t.occurredAt),
    index('activities_type_time_idx').on(t.type, t.occurredAt),
  ],
);

/** Every point given or taken; a lead's score equals the sum of its rows. */
export const scoreLedger = pgTable(
  'score_ledger',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    leadId: uuid('lead_id')
      .notNull()
      .references(() => leads.id, { onDelete: 'cascade' }),
    revisionId: uuid('revision_id')
      .notNull()
      .references(() => agreementRevisions.id, { onDelete: 'restrict' }),
    ruleId: uuid('rule_id').references(() => scoringRules.id, { onDelete: 'set null' }),
    activityId: bigint('activity_id', { mode: 'number' }).references(() => activities.id, {
      onDelete: 'set null',
    }),
    dimension: scoreDimension('dimension').notNull(),
    reason: ledgerReason('reason').notNull(),
    points: integer('points').notNull(),
    /** Interest points halve every N days from occurredAt; null means no decay. */
    decayHalfLifeDays: integer('decay_half_life_days'),
    occurredAt: tstz('occurred_at').notNull(),
    /**
     * A reversal row cancels the row it names (same points negated, same decay and time), so a
     * re-score takes points back without rewriting history.
     */
    reversesId: bigint('reverses_id', { mode: 'number' }).references((): AnyPgColumn => scoreLedger.id, {
      onDelete: 'cascade',
    }),
    createdAt: createdAt(),
  },
  (t) => [
    index('score_ledger_lead_time_idx').on(t.leadId, t.occurredAt),
    uniqueIndex('score_ledger_reverses_uq')
      .on(t.reversesId)
      .where(sql`${t.reversesId} IS NOT NULL`),
    index('score_ledger_rule_idx').on(t.ruleId),
    index('score_ledger_activity_idx').on(t.activityId),
  ],
);

/** Every stage move: who (system or user), why, under which revision. */
export const stageTransitions = pgTable(
  'stage_transitions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    leadId: uuid('lead_id')
      .notNull()
      .references(() => leads.id, { onDelete: 'cascade' }),
    fromStage: lifecycleStage('from_stage'),
    toStage: lifecycleStage('to_stage').notNull(),
    revisionId: uuid('revision_id').references(() => agreementRevisions.id, { onDelete: 'set null' }),
    actorType: actorType('actor_type').notNull(),
    actorUserId: uuid('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    reason: text('reason'),
    reasonCode: text('reason_code'),
    /** When the move took effect: a hand-off trigger sent late moves the lead at the trigger's time. */
    occurredAt: tstz('occurred_at').notNull().defaultNow(),
    /** When it was written (null for moves written before this column existed: same as occurred_at). */
    recordedAt: tstz('recorded_at').defaultNow(),
  },
  (t) => [
    index('stage_transitions_lead_time_idx').on(t.leadId, t.occurredAt),
    index('stage_transitions_to_time_idx').on(t.toStage, t.occurredAt),
    check('stage_transitions_actor_ck', sql`${t.actorType} = 'system' OR ${t.actorUserId} IS NOT NULL`),
    check('stage_transitions_distinct_ck', sql`${t.fromStage} IS NULL OR ${t.fromStage} <> ${t.toStage}`),
  ],
);

/** Sales' contact attempts; cadence breaches are flagged, not refused. */
export const contactAttempts = pgTable(
  'contact_attempts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    leadId: uuid('lead_id')
      .notNull()
      .references(() => leads.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    channel: contactChannel('channel').notNull(),
    outcome: contactOutcome('outcome').notNull(),
    occurredAt: tstz('occurred_at').notNull(),
    notes: text('notes'),
    /** 1-based attempt number for the lead's current hand-off. */
    attemptNumber: integer('attempt_number').notNull(),
    /** e.g. too_soon, channel_not_allowed, after_max_span. */
    cadenceFlags: text('cadence_flags').array().notNull().default(sql`'{}'`),
    createdAt: createdAt(),
  },
  (t) => [
    index('contact_attempts_lead_time_idx').on(t.leadId, t.occurredAt),
    index('contact_attempts_user_time_idx').on(t.userId, t.occurredAt),
    check('contact_attempts_number_ck', sql`${t.attemptNumber} >= 1`),
  ],
);

/** Opportunities from SQLs; won ones carry the revenue goals measure. */
export const opportunities = pgTable(
  'opportunities',
  {
    id: uuidPk(),
    leadId: uuid('lead_id')
      .notNull()
      .references(() => leads.id, { onDelete: 'cascade' }),
    accountId: uuid('account_id').references(() => accounts.id, { onDelete: 'set null' }),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    name: text('name').notNull(),
    pipelineStageKey: text('pipeline_stage_key').notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    currency: text('currency').notNull().default('USD'),
    status: pipelineOutcome('status').notNull().default('open'),
    lostReason: text('lost_reason'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    closedAt: tstz('closed_at'),
  },
  (t) => [
    index('opportunities_lead_idx').on(t.leadId),
    index('opportunities_status_closed_idx').on(t.status, t.closedAt),
    index('opportunities_owner_idx').on(t.ownerId),
    check('opportunities_amount_ck', sql`${t.amountMinor} >= 0`),
    check('opportunities_closed_ck', sql`(${t.status} = 'open') = (${t.closedAt} IS NULL)`),
  ],
);

/**
 * A re-score of every lead of an agreement under a revision, run in batches of leads (keyset on
 * lead id) so it can resume where it stopped and report progress.
 */
export const rescoreRuns = pgTable(
  'rescore_runs',
  {
    id: uuidPk(),
    agreementId: uuid('agreement_id')
      .notNull()
      .references(() => slaAgreements.id, { onDelete: 'cascade' }),
    revisionId: uuid('revision_id')
      .notNull()
      .references(() => agreementRevisions.id, { onDelete: 'cascade' }),
    /** Re-qualify: also move leads whose new scores meet the MQL thresholds. */
    requalify: boolean('requalify').notNull().default(false),
    status: text('status', { enum: ['running', 'completed', 'failed'] }).notNull().default('running'),
    totalLeads: integer('total_leads').notNull(),
    processedLeads: integer('processed_leads').notNull().default(0),
    /** Keyset cursor: the last lead id done. */
    lastLeadId: uuid('last_lead_id'),
    mqlsCreated: integer('mqls_created').notNull().default(0),
    error: text('error'),
    startedById: uuid('started_by_id').references(() => users.id, { onDelete: 'set null' }),
    startedAt: tstz('started_at').notNull().defaultNow(),
    finishedAt: tstz('finished_at'),
  },
  (t) => [
    index('rescore_runs_agreement_idx').on(t.agreementId, t.startedAt),
    check('rescore_runs_status_ck', sql`${t.status} IN ('running','completed','failed')`),
  ],
);

/** Audit trail of lead ownership: who had it, who has it, why and who decided. */
export const ownershipChanges = pgTable(
  'ownership_changes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    leadId: uuid('lead_id')
      .notNull()
      .references(() => leads.id, { onDelete: 'cascade' }),
    fromUserId: uuid('from_user_id').references(() => users.id, { onDelete: 'set null' }),
    toUserId: uuid('to_user_id').references(() => users.id, { onDelete: 'set null' }),
    /** e.g. "deactivated: handed to routing", "out of office: to the backup". */
    reason: text('reason').notNull(),
    actorType: actorType('actor_type').notNull(),
    actorUserId: uuid('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    occurredAt: tstz('occurred_at').notNull(),
  },
  (t) => [index('ownership_changes_lead_idx').on(t.leadId, t.occurredAt), index('ownership_changes_from_idx').on(t.fromUserId)],
);

/** Audit trail of which agreement governs a lead: moves made by activating a scope. */
export const leadAgreementChanges = pgTable(
  'lead_agreement_changes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    leadId: uuid('lead_id')
      .notNull()
      .references(() => leads.id, { onDelete: 'cascade' }),
    fromAgreementId: uuid('from_agreement_id').references(() => slaAgreements.id, { onDelete: 'set null' }),
    toAgreementId: uuid('to_agreement_id').references(() => slaAgreements.id, { onDelete: 'set null' }),
    /** The revision whose activation moved it. */
    revisionId: uuid('revision_id').references(() => agreementRevisions.id, { onDelete: 'set null' }),
    reason: text('reason').notNull(),
    actorUserId: uuid('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    occurredAt: tstz('occurred_at').notNull(),
  },
  (t) => [index('lead_agreement_changes_lead_idx').on(t.leadId, t.occurredAt)],
);
