import { sql } from 'drizzle-orm';
import { bigint, check, index, pgTable, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { agreementRevisions } from './agreements';
import { createdAt, tstz } from './columns';
import { leads } from './crm';
import { clockStatus, slaClock } from './enums';
import { users } from './people';
import { slaClockRules } from './rules';

/**
 * A running SLA clock on one lead. The scheduler picks due clocks with SKIP LOCKED, marks them
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
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    status: clockStatus('status').notNull().default('running'),
    startedAt: tstz('started_at').notNull(),
    dueAt: tstz('due_at').notNull(),
    stoppedAt: tstz('stopped_at'),
  },
  (t) => [
    index('sla_clocks_due_idx')
      .on(t.dueAt)
      .where(sql`${t.status} = 'running'`),
    index('sla_clocks_lead_idx').on(t.leadId, t.clock),
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
