import type { Logger } from 'pino';
import type { Database } from '../../db/client';
import { loadConfig } from '../../api/config';
import { startServer, type RunningServer } from '../../api/server';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[];
}

export interface TestServer extends RunningServer {
  base: string;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, key?: string): Promise<GraphQLResponse<T>>;
}

/** The real HTTP server on a random local port, over the given database. */
export async function startTestServer(database: Database, env: Record<string, string> = {}, logger?: Logger): Promise<TestServer> {
  // Rate limits are off unless a test asks for them (test/api/limits.test.ts does): test files
  // send thousands of requests with one key from one address.
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: '0',
    // Likewise the report budget and cache (test/api/heavy-reads.test.ts turns them on): tests read
    // reports right after writing through the database directly.
    REPORT_BUDGET_PER_MINUTE: '0',
    REPORT_CACHE_SECONDS: '0',
    REPORT_LINK_OPENS_PER_MINUTE: '0',
    REPORT_LINK_OPENS_PER_ADDRESS_PER_MINUTE: '0',
    // Tests revoke keys and deactivate users in the database directly, then expect a refusal.
    AUTH_CACHE_SECONDS: '0',
    ...env,
  });
  const running = await startServer(database, config, logger);
  const base = running.url.replace(/\/graphql$/, '');
  return Object.assign(running, {
    base,
    async gql<T>(query: string, variables?: Record<string, unknown>, key?: string): Promise<GraphQLResponse<T>> {
      const response = await fetch(running.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as GraphQLResponse<T>;
      return { ...body, status: response.status };
    },
  });
}
