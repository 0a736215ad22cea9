import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, primaryKey, text, uniqueIndex, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { createdAt, tstz, updatedAt, uuidPk } from './columns';
import { team, userRole } from './enums';

/** People who use the platform: marketers, reps, admins and BI viewers. */
export const users = pgTable(
  'users',
  {
    id: uuidPk(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    team: team('team').notNull(),
    role: userRole('role').notNull(),
    /** Sales managers see their team's leads; a rep has a manager. */
    managerId: uuid('manager_id').references((): any => users.id, { onDelete: 'set null' }),
    /** How many open hand-offs a rep can hold at once (routing). */
    routingCapacity: integer('routing_capacity').notNull().default(0),
    /** Share of round-robin routing (a rep with weight 2 gets twice the leads of one with 1). */
    routingWeight: integer('routing_weight').notNull().default(1),
    /** The sales team (routing pool) the rep belongs to. */
    salesTeamId: uuid('sales_team_id').references((): AnyPgColumn => salesTeams.id, { onDelete: 'set null' }),
    /** The rep's own time zone, for working hours; the agreement's when null. */
    timeZone: text('time_zone'),
    /** Who covers the rep's open obligations while out of office (unless an absence names someone else). */
    backupUserId: uuid('backup_user_id').references((): AnyPgColumn => users.id, { onDelete: 'set null' }),
    active: boolean('active').notNull().default(true),
    deactivatedAt: tstz('deactivated_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('users_email_uq').on(sql`lower(${t.email})`),
    index('users_team_active_idx').on(t.team, t.active),
    index('users_sales_team_idx').on(t.salesTeamId),
    check('users_routing_capacity_ck', sql`${t.routingCapacity} >= 0`),
    check('users_routing_weight_ck', sql`${t.routingWeight} between 1 and 1000`),
  ],
);

/** A sales team: a routing pool, with a manager who sees its queues and breaches. */
export const salesTeams = pgTable(
  'sales_teams',
  {
    id: uuidPk(),
    name: text('name').notNull(),
    managerId: uuid('manager_id').references((): AnyPgColumn => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('sales_teams_name_uq').on(sql`lower(${t.name})`)],
);

/** A rep's working hours per ISO weekday, in the rep's time zone (minutes after midnight). */
export const userWorkingHours = pgTable(
  'user_working_hours',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    weekday: integer('weekday').notNull(),
    startMinute: integer('start_minute').notNull(),
    endMinute: integer('end_minute').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.weekday, t.startMinute] }),
    check('user_working_hours_weekday_ck', sql`${t.weekday} between 1 and 7`),
    check('user_working_hours_span_ck', sql`${t.startMinute} >= 0 and ${t.endMinute} <= 1440 and ${t.startMinute} < ${t.endMinute}`),
  ],
);

/**
 * Out of office: routing skips the rep from `starts_at` to `ends_at`, and the rep's open
 * obligations go to the backup (or back to routing, as the agreement says) when it starts.
 */
export const userAbsences = pgTable(
  'user_absences',
  {
    id: uuidPk(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    startsAt: tstz('starts_at').notNull(),
    endsAt: tstz('ends_at').notNull(),
    backupUserId: uuid('backup_user_id').references(() => users.id, { onDelete: 'set null' }),
    note: text('note'),
    /** When the rep's open leads were handed over (by the scheduler, once the absence began). */
    handedOverAt: tstz('handed_over_at'),
    createdById: uuid('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('user_absences_user_idx').on(t.userId, t.endsAt),
    index('user_absences_pending_idx')
      .on(t.startsAt)
      .where(sql`${t.handedOverAt} is null`),
    check('user_absences_span_ck', sql`${t.endsAt} > ${t.startsAt}`),
  ],
);

/** API keys: the secret is shown once; only its SHA-256 is stored. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuidPk(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The first characters of the key, to recognise it in lists without revealing it. */
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    role: userRole('role').notNull(),
    createdAt: createdAt(),
    lastUsedAt: tstz('last_used_at'),
    expiresAt: tstz('expires_at'),
    revokedAt: tstz('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_hash_uq').on(t.keyHash), index('api_keys_user_idx').on(t.userId)],
);
