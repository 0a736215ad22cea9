import { databaseOptionsFromEnv } from '../db/config';
import type { HeavyReadSettings } from './heavy-reads';

/** Every setting the server reads, from the environment. README lists them all in one table. */
export interface ServerConfig {
  port: number;
  host: string;
  production: boolean;
  introspection: boolean;
  playground: boolean;
  adminApiKey?: string;
  seedOnStart: boolean;
  seedLeads: number;
  logLevel: string;
  /** Longest a GraphQL request may run; past it the client gets REQUEST_TIMEOUT and its transactions roll back. */
  requestTimeoutMs: number;
  maxBodyBytes: number;
  /** Requests per minute per API key (0 = no limit). */
  rateLimitPerMinute: number;
  /** Requests per minute per client address for calls without a valid key (0 = no limit). */
  anonymousRateLimitPerMinute: number;
  /** HMAC secret for report links; unset = a random per-process secret (with a warning). */
  reportLinkSecret?: string;
  /** Public origin for links the API hands out (e.g. https://sla.example.com); required in production to make links. */
  publicUrl?: string;
  /** Seconds a valid key is remembered without a database lookup (0 = look up every request). */
  authCacheSeconds: number;
  /** Cost control for notebooks, charts and report links (api/heavy-reads.ts). */
  reports: HeavyReadSettings & {
    /** Opens of one report link per minute (0 = no limit). */
    linkPerMinute: number;
    /** Report-link opens per minute from one address (0 = no limit). */
    linkAddressPerMinute: number;
  };
  database: ReturnType<typeof databaseOptionsFromEnv>;
  /** The webhook dispatcher (domain/webhooks/dispatcher.ts) the server runs. */
  webhooks: {
    enabled: boolean;
    pollMs: number;
    timeoutMs: number;
    maxAttempts: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
  };
  /** Longest a client may take to send a request's headers (capped at requestTimeoutMs); past it the socket is closed (408). */
  headersTimeoutMs: number;
}

/** PUBLIC_URL as an origin (scheme, host, port; no path), or an error naming the variable. */
function publicUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`PUBLIC_URL must be an absolute URL such as https://sla.example.com, got "${value}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`PUBLIC_URL must be http(s), got "${value}"`);
  return `${url.origin}${url.pathname.replace(/\/$/, '')}`;
}

function flag(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

function int(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return parsed;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const production = env.NODE_ENV === 'production';
  return {
    port: int('PORT', env.PORT, 4000),
    host: env.HOST || '127.0.0.1',
    production,
    introspection: flag(env.GRAPHQL_INTROSPECTION, !production),
    playground: flag(env.GRAPHQL_PLAYGROUND, !production),
    adminApiKey: env.ADMIN_API_KEY || undefined,
    seedOnStart: flag(env.SEED_ON_START, true),
    // Smaller than `npm run seed`'s 20,000 so that a first start serves within ~30 s.
    seedLeads: int('SEED_LEADS', env.SEED_LEADS, 10_000),
    logLevel: env.LOG_LEVEL || (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    requestTimeoutMs: int('REQUEST_TIMEOUT_MS', env.REQUEST_TIMEOUT_MS, 30_000),
    maxBodyBytes: int('MAX_BODY_BYTES', env.MAX_BODY_BYTES, 1_000_000),
    rateLimitPerMinute: int('RATE_LIMIT_PER_MINUTE', env.RATE_LIMIT_PER_MINUTE, 1_200),
    anonymousRateLimitPerMinute: int('RATE_LIMIT_ANONYMOUS_PER_MINUTE', env.RATE_LIMIT_ANONYMOUS_PER_MINUTE, 60),
    reportLinkSecret: env.REPORT_LINK_SECRET || undefined,
    publicUrl: publicUrl(env.PUBLIC_URL),
    authCacheSeconds: int('AUTH_CACHE_SECONDS', env.AUTH_CACHE_SECONDS, 5),
    reports: {
      // PGlite is one connection: a second report would only wait for the first.
      concurrency: int('REPORT_CONCURRENCY', env.REPORT_CONCURRENCY, env.DATABASE_URL ? 2 : 1) || 1,
      queue: int('REPORT_QUEUE', env.REPORT_QUEUE, 8),
      budgetPerMinute: int('REPORT_BUDGET_PER_MINUTE', env.REPORT_BUDGET_PER_MINUTE, 2_000),
      cacheSeconds: int('REPORT_CACHE_SECONDS', env.REPORT_CACHE_SECONDS, 60),
      linkPerMinute: int('REPORT_LINK_OPENS_PER_MINUTE', env.REPORT_LINK_OPENS_PER_MINUTE, 120),
      linkAddressPerMinute: int('REPORT_LINK_OPENS_PER_ADDRESS_PER_MINUTE', env.REPORT_LINK_OPENS_PER_ADDRESS_PER_MINUTE, 60),
    },
    database: databaseOptionsFromEnv(env),
    webhooks: {
      enabled: flag(env.WEBHOOKS_ENABLED, true),
      pollMs: int('WEBHOOK_POLL_MS', env.WEBHOOK_POLL_MS, 1_000),
      timeoutMs: int('WEBHOOK_TIMEOUT_MS', env.WEBHOOK_TIMEOUT_MS, 10_000),
      maxAttempts: int('WEBHOOK_MAX_ATTEMPTS', env.WEBHOOK_MAX_ATTEMPTS, 15),
      backoffBaseMs: int('WEBHOOK_BACKOFF_BASE_MS', env.WEBHOOK_BACKOFF_BASE_MS, 10_000),
      backoffMaxMs: int('WEBHOOK_BACKOFF_MAX_MS', env.WEBHOOK_BACKOFF_MAX_MS, 3_600_000),
    },
    headersTimeoutMs: int('HEADERS_TIMEOUT_MS', env.HEADERS_TIMEOUT_MS, 10_000),
  };
}
