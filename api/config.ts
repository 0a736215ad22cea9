import { databaseOptionsFromEnv } from '../db/config';

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
  requestTimeoutMs: number;
  maxBodyBytes: number;
  database: ReturnType<typeof databaseOptionsFromEnv>;
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
    seedLeads: int('SEED_LEADS', env.SEED_LEADS, 20_000),
    logLevel: env.LOG_LEVEL || (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    requestTimeoutMs: int('REQUEST_TIMEOUT_MS', env.REQUEST_TIMEOUT_MS, 30_000),
    maxBodyBytes: int('MAX_BODY_BYTES', env.MAX_BODY_BYTES, 1_000_000),
    database: databaseOptionsFromEnv(env),
  };
}
