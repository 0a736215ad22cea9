import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
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
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('users_email_uq').on(sql`lower(${t.email})`),
    index('users_team_active_idx').on(t.team, t.active),
    check('users_routing_capacity_ck', sql`${t.routingCapacity} >= 0`),
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
