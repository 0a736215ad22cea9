import type { Database, Db } from '../db/client';
import { authenticate, type Principal } from '../domain/auth/api-keys';
import type { BackgroundTasks } from './background';
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

export async function createContext(database: Database, authorization: string | undefined): Promise<Context> {
  const token = bearerToken(authorization);
  const viewer = token ? await authenticate(database.db, token) : null;
  return { db: database.db, database, viewer };
}
