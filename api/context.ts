import type { Database, Db } from '../db/client';
import { authenticate, type Principal } from '../domain/auth/api-keys';
import type { BackgroundTasks } from './background';
import { RequestTimeoutError } from './errors';
import type { ReportLinks } from './report-links';

/**
 * Made once per request. Pothos' dataloader plugin keeps its loaders on this object, so every
 * loader lives exactly as long as the request that created it.
 */
export interface Context {
  db: Db;
  database: Database;
  /** The caller, or null for anonymous or unknown keys (which can read nothing). */
  viewer: Principal | null;
  /** Runs work that outlives the request, such as re-score runs (set by the HTTP server). */
  background?: BackgroundTasks;
  /** Signs report links (set by the HTTP server). */
  reportLinks?: ReportLinks;
  /** Origin of the request (or PUBLIC_URL), for absolute links in responses. */
  origin?: string;
}

export function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

export async function authenticateRequest(database: Database, authorization: string | undefined): Promise<Principal | null> {
  const token = bearerToken(authorization);
  return token ? authenticate(database.db, token) : null;
}

/**
 * The request's view of the database: the same connection pool, but every transaction the request
 * opens checks the request's deadline before it commits. A request that timed out (its client
 * already has REQUEST_TIMEOUT) therefore rolls back instead of committing behind the client's back.
 */
export function requestScopedDb(db: Db, signal: AbortSignal | undefined): Db {
  if (!signal) return db;
  const scoped = Object.create(db) as Db;
  const transaction = db.transaction.bind(db) as (work: (tx: unknown) => Promise<unknown>, config?: unknown) => Promise<unknown>;
  (scoped as unknown as { transaction: typeof transaction }).transaction = (work, config) =>
    transaction(async (tx) => {
      if (signal.aborted) throw new RequestTimeoutError();
      const result = await work(tx);
      if (signal.aborted) throw new RequestTimeoutError();
      return result;
    }, config);
  return scoped;
}

export function createContext(database: Database, viewer: Principal | null, signal?: AbortSignal): Context {
  return { db: requestScopedDb(database.db, signal), database, viewer };
}
