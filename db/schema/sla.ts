import { sql } from 'drizzle-orm';
import { bigint, check, index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { agreementRevisions, slaAgreements } from './agreements';
import { createdAt, tstz, uuidPk } from './columns';
import { activities, leads } from './crm';
import { clockStatus, handoffState, lifecycleStage, slaClock } from './enums';
import { users } from './people';
import { slaClockRules } from './rules';

/**
 * One hand-off from Marketing to Sales: the one model every reader uses (work queue, scheduler,
 * KPIs, notebooks, webhooks). `requested_at` is when the hand-off was asked for (the trigger
 * event's time, or the move to MQL); a hand-off routed at once starts Sales' clocks then; one held
 * for missing information or capacity starts them when it is released (`released_at`).
 * `handed_off_at` is that instant: when Sales got the lead and its acceptance and response clocks
 * started. `leads.handoff_status` and `leads.handed_off_at` mirror the lead's latest hand-off.
 */
export const handoffs = pgTable(
  'handoffs',
  {
    id: uuidPk(),
    leadId: uuid('lead_id')
      .notNull()
      .references(() => leads.id, { onDelete: 'cascade' }),
    agreementId: uuid('agreement_id').references(() => slaAgreements.id, { onDelete: 'set null' }),
    revisionId: uuid('revision_id')
      .notNull()
      .references(() => agreementRevisions.id, { onDelete: 'restrict' }),
    /** What asked for it: 'mql' (qualified by score), 'manual' (moved to MQL by a person), or the trigger activity type. */
    trigger: text('trigger').notNull(),
    triggerActivityId: bigint('trigger_activity_id', { mode: 'number' }).references(() => activities.id, { onDelete: 'set null' }),
    requestedAt: tstz('requested_at').notNull(),
    state: handoffState('state').notNull(),
    /** While held: what Sales agreed to receive and the lead lacks (or why no rep could take it). */
    missingFields: text('missing_fields').array().notNull().default(sql`'{}'`),
    heldAt: tstz('held_at'),
    releasedAt: tstz('released_at'),
    /** Last time a held hand-off was tried again: the scheduler retries the longest-waiting first. */
    checkedAt: tstz('checked_at'),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    handedOffAt: tstz('handed_off_at'),
    /** When Sales accepted or rejected it, or it was withdrawn. */
    decidedAt: tstz('decided_at'),
    firstContactAt: tstz('first_contact_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('handoffs_one_open_uq')
      .on(t.leadId)
      .where(sql`${t.state} in ('held', 'routed')`),
    index('handoffs_lead_idx').on(t.leadId, t.requestedAt),
    index('handoffs_handed_off_idx').on(t.handedOffAt),
    index('handoffs_held_idx')
      .on(t.checkedAt)
      .where(sql`${t.state} = 'held'`),
    index('handoffs_owner_idx').on(t.ownerId, t.state),
    // Routing's recent share per rep.
    index('handoffs_owner_recent_idx').on(t.ownerId, t.handedOffAt),
    check('handoffs_handed_off_ck', sql`${t.handedOffAt} >= ${t.requestedAt}`),
    check('handoffs_routed_ck', sql`${t.state} = 'held' or ${t.state} = 'withdrawn' or ${t.handedOffAt} is not null`),
  ],
);

/**
 * An SLA clock on one lead. The scheduler picks due clocks with SKIP LOCKED, marks them
 * breached and writes an sla_breaches row; moving the lead on stops the clock.
 */
export const slaClocksTable = pgTable(
  'sla_clocks',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    leadId: uuid('lead_id')
      .notNull()
      .references(() => leads.id, { onDelete: 'cascade' }),
    ruleId: uuid('rule_id')
      .notNull()
      .references(() => slaClockRules.id, { onDelete: 'restrict' }),
    revisionId: uuid('revision_id')
      .notNull()
      .references(() => agreementRevisions.id, { onDelete: 'restrict' }),
    clock: slaClock('clock').notNull(),
    /** The hand-off an acceptance, response or cadence clock belongs to. */
    handoffId: uuid('handoff_id').references(() => handoffs.id, { onDelete: 'cascade' }),
    /** The stage a time-in-stage clock times. */
    stage: lifecycleStage('stage'),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    status: clockStatus('status').notNull().default('running'),
    startedAt: tstz('started_at').notNull(),
    dueAt: tstz('due_at').notNull(),
    /** When the obligation ended: met, cancelled, or, for a breached clock, resolved (null while open). */
    stoppedAt: tstz('stopped_at'),
  },
  (t) => [
    index('sla_clocks_due_idx')
      .on(t.dueAt)
      .where(sql`${t.status} = 'running'`),
    index('sla_clocks_lead_idx').on(t.leadId, t.clock),
    // At most one running clock of a kind per lead: starting one is idempotent (ON CONFLICT DO NOTHING).
    uniqueIndex('sla_clocks_one_running_uq')
      .on(t.leadId, t.clock)
      .where(sql`${t.status} = 'running'`),
    index('sla_clocks_handoff_idx').on(t.handoffId),
    // Breached and not yet resolved: the top of the rep's queue.
    index('sla_clocks_open_breach_idx')
      .on(t.leadId)
      .where(sql`${t.status} = 'breached' and ${t.stoppedAt} is null`),
    check('sla_clocks_due_ck', sql`${t.dueAt} >= ${t.startedAt}`),
  ],
);

/** A clock that ran out: rule, lead, due, breached, resolved. */
export const slaBreaches = pgTable(
  'sla_breaches',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    clockId: bigint('clock_id', { mode: 'number' })
      .notNull()
      .references(() => slaClocksTable.id, { onDelete: 'cascade' }),
    leadId: uuid('lead_id')
      .notNull()
      .references(() => leads.id, { onDelete: 'cascade' }),
    ruleId: uuid('rule_id')
      .notNull()
      .references(() => slaClockRules.id, { onDelete: 'restrict' }),
    revisionId: uuid('revision_id')
      .notNull()
      .references(() => agreementRevisions.id, { onDelete: 'restrict' }),
    clock: slaClock('clock').notNull(),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    dueAt: tstz('due_at').notNull(),
    breachedAt: tstz('breached_at').notNull(),
    resolvedAt: tstz('resolved_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('sla_breaches_clock_uq').on(t.clockId),
    index('sla_breaches_breached_idx').on(t.breachedAt),
    index('sla_breaches_open_idx')
      .on(t.leadId)
      .where(sql`${t.resolvedAt} IS NULL`),
    index('sla_breaches_owner_idx').on(t.ownerId, t.breachedAt),
  ],
);
