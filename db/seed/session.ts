// Where the seed writes: one transaction on either driver. A crash or error mid-seed leaves the
// database as it was (empty, so the server seeds again on its next start), and it makes it safe
// to drop and rebuild indexes and foreign keys around the bulk load (bulk-load.ts).
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import type postgres from 'postgres';
import type { Database, Db } from '../client';
import * as schema from '../schema/index';

export interface SeedSession {
  driver: 'pglite' | 'postgres';
  /** Drizzle bound to the transaction. Do not call db.transaction() on it: it cannot nest here. */
  db: Db;
  pg?: Pick<postgres.Sql, 'unsafe'>;
  lite?: Pick<Transaction, 'query' | 'exec'>;
}

export async function runSeedSession<T>(database: Database, work: (session: SeedSession) => Promise<T>): Promise<T> {
  if (database.driver === 'pglite') {
    if (!database.lite) throw new Error('pglite driver without a PGlite instance');
    // Drizzle only calls query() on its client, which a PGlite transaction provides.
    return database.lite.transaction((tx) =>
      work({ driver: 'pglite', db: drizzlePglite(tx as unknown as PGlite, { schema }) as unknown as Db, lite: tx }),
    );
  }
  const pg = database.pg;
  if (!pg) throw new Error('postgres driver without a postgres.js client');
  const result = await pg.begin(async (tx) => {
    // Bulk work is no request: the pool's statement timeout must not cut an index build short.
    await tx.unsafe('SET LOCAL statement_timeout = 0');
    // Drizzle reads type parsers from client.options, which postgres.js keeps on the pool only.
    const client = Object.assign(tx, { options: pg.options }) as unknown as postgres.Sql;
    return work({ driver: 'postgres', db: drizzlePostgres(client, { schema }) as unknown as Db, pg: tx });
  });
  return result as T;
}
