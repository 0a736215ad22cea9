import { sql } from 'drizzle-orm';
import { check, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt } from './columns';

/**
 * Secrets of this installation, made on first use and shared by every server instance on the
 * database: `global_ids` seals the sequential ids the API shows (db/opaque-ids.ts). Kept by
 * `seed --reset` (ids stay stable); never returned by the API.
 */
export const installationKeys = pgTable(
  'installation_keys',
  {
    name: text('name').primaryKey(),
    /** 32 random bytes, hex. */
    secret: text('secret').notNull(),
    createdAt: createdAt(),
  },
  (t) => [check('installation_keys_secret_ck', sql`${t.secret} ~ '^[0-9a-f]{64}$'`)],
);
