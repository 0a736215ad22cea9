import type { Database, Db } from '../db/client';
import { prepareIdSealer } from '../db/opaque-ids';
import { LRUCache } from 'lru-cache';
import { authenticate, hashApiKey, type Principal } from '../domain/auth/api-keys';
import type { BackgroundTasks } from './background';
import type { HeavyReads } from './heavy-reads';
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
  /** PUBLIC_URL (or, outside production, the server's own address), for absolute links in responses. */
  origin?: string;
  /** Cost control and cache for notebooks, charts and report links (set by the HTTP server). */
  heavyReads?: HeavyReads;
}

export function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

/**
 * Valid keys seen in the last few seconds, so that a request needs no database round trip to know
 * its caller: during a burst of heavy reads on PGlite (one connection) requests would otherwise queue
 * behind the reports only to learn who they are. Any mutation in this process empties it (a revoked
 * key or deactivated user is refused at once); a revocation made elsewhere (another instance, the
 * keys CLI) takes effect within the TTL. Unknown keys are never cached.
 */
export class AuthCache {
  private readonly cache?: LRUCache<string, Principal>;

  constructor(ttlSeconds: number) {
    if (ttlSeconds > 0) this.cache = new LRUCache({ max: 10_000, ttl: ttlSeconds * 1000 });
  }

  async authenticate(database: Database, token: string): Promise<Principal | null> {
    if (!this.cache) return authenticate(database.db, token);
    const id = hashApiKey(token);
    const known = this.cache.get(id);
    if (known) return known;
    const principal = await authenticate(database.db, token);
    if (principal) this.cache.set(id, principal);
    return principal;
  }

  clear(): void {
    this.cache?.clear();
  }
}

export async function authenticateRequest(database: Database, authorization: string | undefined, cache?: AuthCache): Promise<Principal | null> {
  // Global ids need the installation's key: read once per database (migrate() already did, normally).
  await prepareIdSealer(database);
  const token = bearerToken(authorization);
  if (!token) return null;
  return cache ? cache.authenticate(database, token) : authenticate(database.db, token);
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
