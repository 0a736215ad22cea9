// Is there data already, and how to remove all of it (for `seed --reset`).
import { is, sql } from 'drizzle-orm';
import { PgTable, getTableConfig } from 'drizzle-orm/pg-core';
import { rows, type Database } from '../client';
import * as schema from '../schema/index';

/** True when no users and no agreements exist: the state a fresh install starts in. */
export async function isDatabaseEmpty(database: Database): Promise<boolean> {
  const [result] = await rows<{ has_users: boolean; has_agreements: boolean }>(
    database.db,
    sql`SELECT EXISTS (SELECT 1 FROM users) AS has_users, EXISTS (SELECT 1 FROM sla_agreements) AS has_agreements`,
  );
  return !result?.has_users && !result?.has_agreements;
}

/** Every table declared in db/schema. */
export function schemaTableNames(): string[] {
  const names: string[] = [];
  for (const value of Object.values(schema) as unknown[]) {
    if (is(value, PgTable)) names.push(getTableConfig(value).name);
  }
  return names.sort();
}

/** Tables a reset keeps: the installation's keys (global ids stay what they were: db/opaque-ids.ts). */
const KEPT_ON_RESET = new Set(['installation_keys']);

/** Deletes all application data (not the migration history, not the installation's keys) and restarts identity sequences. */
export async function resetDatabase(database: Database): Promise<void> {
  const tables = schemaTableNames()
    .filter((name) => !KEPT_ON_RESET.has(name))
    .map((name) => `"${name}"`)
    .join(', ');
  await database.db.execute(sql.raw(`TRUNCATE TABLE ${tables} RESTART IDENTITY CASCADE`));
}
