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
  /** Read-write transactions this request committed. */
  writes?: { committed: number };
}

export function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

/**
 * Valid keys seen in the last few seconds, so that a request needs no database round trip to know
 * its caller: during a burst of heavy reads on PGlite (one connection) requests would otherwise queue
 * behind the reports only to learn who they are. A mutation that succeeds in this process empties it
 * (a revoked key or deactivated user is refused at once); a revocation made elsewhere (another
 * instance, the keys CLI) takes effect within the TTL. Unknown keys are never cached.
 */
export class AuthCache {
  private readonly cache?: LRUCache<string, Principal>;
  private readonly ttlMs: number;
  private generation = 0;

  constructor(ttlSeconds: number) {
    this.ttlMs = ttlSeconds * 1000;
    if (ttlSeconds > 0) this.cache = new LRUCache({ max: 10_000, ttl: this.ttlMs });
  }

  async authenticate(database: Database, token: string): Promise<Principal | null> {
    if (!this.cache) return authenticate(database.db, token);
    const id = hashApiKey(token);
    const known = this.cache.get(id);
    if (known) return known;
    const generation = this.generation;
    const principal = await authenticate(database.db, token);
    // A lookup that raced a revocation (the cache was cleared meanwhile) is not remembered; a key
    // is never remembered past its expiry.
    if (principal && generation === this.generation) {
      const left = principal.expiresAt ? principal.expiresAt.getTime() - Date.now() : Infinity;
      if (left > 0) this.cache.set(id, principal, { ttl: Math.min(this.ttlMs, left) });
    }
    return principal;
  }

  clear(): void {
    this.generation += 1;
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
export function requestScopedDb(db: Db, signal: AbortSignal | undefined, writes?: { committed: number }): Db {
  if (!signal && !writes) return db;
  const scoped = Object.create(db) as Db;
  const transaction = db.transaction.bind(db) as (work: (tx: unknown) => Promise<unknown>, config?: { accessMode?: string }) => Promise<unknown>;
  (scoped as unknown as { transaction: typeof transaction }).transaction = async (work, config) => {
    const result = await transaction(async (tx) => {
      if (signal?.aborted) throw new RequestTimeoutError();
      const value = await work(tx);
      if (signal?.aborted) throw new RequestTimeoutError();
      return value;
    }, config);
    // Counted once committed: reports computed before it may be stale (api/heavy-reads.ts).
    if (writes && config?.accessMode !== 'read only') writes.committed += 1;
    return result;
  };
  return scoped;
}

export function createContext(database: Database, viewer: Principal | null, signal?: AbortSignal): Context {
  const writes = { committed: 0 };
  return { db: requestScopedDb(database.db, signal, writes), database, viewer, writes };
}
