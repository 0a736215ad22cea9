import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { Logger, SQL } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { prepareIdSealer } from './opaque-ids';
import * as schema from './schema/index';
import { lockDataFolder } from './data-folder-lock';

export { DataFolderInUseError } from './data-folder-lock';

export type Schema = typeof schema;
/** The one Drizzle type both drivers satisfy; all code is written against it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema>;
export type DbOrTx = Db | Tx;

export const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Receives every SQL statement Drizzle sends; tests use it to count statements per request. */
export type QueryListener = (query: string, params: unknown[]) => void;

export interface Database {
  db: Db;
  driver: 'pglite' | 'postgres';
  /** postgres.js client when driver is postgres (COPY, LISTEN…). */
  pg?: postgres.Sql;
  /** PGlite instance when driver is pglite. */
  lite?: PGlite;
  /** Subscribe to executed statements; returns an unsubscribe function. */
  onQuery(listener: QueryListener): () => void;
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… ; when absent the embedded PGlite is used. */
  url?: string;
  /** PGlite data folder; 'memory' (or undefined with inMemory) keeps it in memory. */
  dataDir?: string;
  /** Pool size for postgres.js. */
  maxConnections?: number;
  /** PostgreSQL statement_timeout in milliseconds (0 = none). */
  statementTimeoutMs?: number;
}

// Arbitrary constant: the advisory lock that serialises migrations across server instances.
const MIGRATION_LOCK = 815_000_001;

export function openDatabase(options: DatabaseOptions = {}): Database {
  const listeners = new Set<QueryListener>();
  const logger: Logger = {
    logQuery(query, params) {
      for (const listener of listeners) listener(query, params);
    },
  };
  const onQuery = (listener: QueryListener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };

  if (options.url) {
    const url = options.url;
    // JIT compilation costs more than it saves on these short OLTP and report queries.
    const connection: Record<string, string> = { application_name: 'sla-platform', jit: 'off' };
    if (options.statementTimeoutMs) connection.statement_timeout = String(options.statementTimeoutMs);
    const pg = postgres(url, {
      max: options.maxConnections ?? 10,
      onnotice: () => {},
      connection,
      // Seconds before a pool connection tries again after failing to connect. The default grows
      // to 10–20 s while the database is down, and queries queued for that connection wait with
      // it: requests hung for seconds after a restart. Capped at 1 s, they fail fast (503) while
      // the database is down and succeed within about a second of its return.
      backoff: (retries: number) => Math.min(1, 0.05 * 2 ** retries) * (0.5 + Math.random() / 2),
    });
    const db = drizzlePostgres(pg, { schema, logger }) as unknown as Db;
    const database: Database = {
      db,
      driver: 'postgres',
      pg,
      onQuery,
      async migrate() {
        // A dedicated single connection holds the advisory lock for the whole migration.
        const one = postgres(url, { max: 1, onnotice: () => {} });
        try {
          await one`select pg_advisory_lock(${MIGRATION_LOCK})`;
          await migratePostgres(drizzlePostgres(one), { migrationsFolder });
          await one`select pg_advisory_unlock(${MIGRATION_LOCK})`;
        } finally {
          await one.end({ timeout: 5 });
        }
        // The installation's global id key, made on first use (db/opaque-ids.ts).
        await prepareIdSealer(database);
      },
      async ping() {
        await pg`select 1`;
      },
      async close() {
        await pg.end({ timeout: 5 });
      },
    };
    return database;
  }

  const dir = options.dataDir && options.dataDir !== 'memory' ? resolve(options.dataDir) : undefined;
  if (dir) mkdirSync(dir, { recursive: true });
  // One process at a time on a data folder (db/data-folder-lock.ts): a second one is refused here,
  // before PGlite touches a file. In memory there is nothing to share.
  const unlock = dir ? lockDataFolder(dir) : () => {};
  let lite: PGlite;
  try {
    lite = dir ? new PGlite(dir) : new PGlite();
  } catch (error) {
    unlock();
    throw error;
  }
  const db = drizzlePglite(lite, { schema, logger }) as unknown as Db;
  const database: Database = {
    db,
    driver: 'pglite',
    lite,
    onQuery,
    async migrate() {
      await migratePglite(db as never, { migrationsFolder });
      await prepareIdSealer(database);
    },
    async ping() {
      if (lite.closed) throw new Error('database is closed');
      await lite.query('select 1');
    },
    async close() {
      try {
        if (!lite.closed) await lite.close();
      } finally {
        unlock();
      }
    },
  };
  return database;
}

/** Rows of a raw SQL statement, whichever driver ran it. */
export async function rows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

export { schema };
