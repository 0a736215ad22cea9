import { encodeGlobalID } from '@pothos/plugin-relay';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, rows, type Database } from '../../db/client';
import { createLogger } from '../../api/logger';
import { limits } from '../../api/limits';
import { openTestDatabase } from '../helpers/db';
import { buildFixture, type Fixture } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/server';

// Every operation limit of issue 7, each shown refused with its error, plus rate limits,
// production mode and the request log. Timeouts that need a second connection run on PostgreSQL.
const onPostgres = !!process.env.TEST_DATABASE_URL;

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let server: TestServer;
let fx: Fixture;

beforeAll(async () => {
  database = await openTestDatabase();
  fx = await buildFixture(database.db, 120);
  server = await startTestServer(database);
});
afterAll(async () => {
  await server?.stop();
  await database?.dispose();
});

/** The page the benchmark measures: 100 leads with account, owner, ledger, transitions, attempts. */
const LEADS_PAGE = /* GraphQL */ `
  query LeadsPage {
    leads(first: 100) {
      edges { node {
        id email stage score { fit interest total }
        account { id name }
        owner { id name }
        scoreLedger { id dimension points }
        stageTransitions { id fromStage toStage occurredAt }
        contactAttempts { id channel outcome }
      } }
    }
  }`;

const codeOf = (result: { errors?: { extensions?: { code?: string } }[] }) => result.errors?.[0]?.extensions?.code;

describe('operation limits', () => {
  it('serves the heaviest legitimate page within every limit', async () => {
    const result = await server.gql(LEADS_PAGE, {}, fx.keys.admin);
    expect(result.errors).toBeUndefined();
    expect(result.data!.leads.edges).toHaveLength(100);
  });

  it('refuses a page above 100', async () => {
    const result = await server.gql(`{ leads(first: ${limits.maxPageSize + 1}) { edges { node { id } } } }`, {}, fx.keys.admin);
    expect(codeOf(result)).toBe('OPERATION_LIMIT');
    expect(result.errors![0]!.message).toMatch(/maximum page size of 100/);
    expect(result.data ?? null).toBeNull();
  });

  it('refuses a query nested deeper than the depth limit', async () => {
    const depth = limits.maxDepth + 2;
    const nested = 'manager { '.repeat(depth) + 'id' + ' }'.repeat(depth);
    const result = await server.gql(`{ leads(first: 1) { edges { node { owner { ${nested} } } } } }`, {}, fx.keys.admin);
    expect(codeOf(result)).toBe('OPERATION_LIMIT');
    expect(result.errors![0]!.message).toMatch(new RegExp(`Query depth \\d+ exceeds the limit of ${limits.maxDepth}`));
  });

  it('refuses a query whose estimated cost is above the limit, before running it', async () => {
    const statements: string[] = [];
    const stop = database.onQuery((query) => statements.push(query));
    const result = await server.gql(
      `{ leads(first: 100) { edges { node { activities(first: 100) { edges { node { id type occurredAt } } } } } } }`,
      {},
      fx.keys.admin,
    );
    stop();
    expect(codeOf(result)).toBe('OPERATION_LIMIT');
    expect(result.errors![0]!.message).toMatch(new RegExp(`Query complexity \\d+ exceeds the limit of ${limits.maxComplexity}`));
    // Only the API-key lookup ran: the leads were never read.
    expect(statements.filter((s) => /from "leads"/i.test(s))).toEqual([]);
  });

  it('refuses too many aliases', async () => {
    const aliases = Array.from({ length: limits.maxAliases + 1 }, (_, i) => `a${i}: leads(first: 1) { totalCount }`).join(' ');
    const result = await server.gql(`{ ${aliases} }`, {}, fx.keys.admin);
    expect(result.status).toBe(400);
    expect(codeOf(result)).toBe('OPERATION_LIMIT');
    expect(result.errors![0]!.message).toMatch(new RegExp(`Aliases limit of ${limits.maxAliases} exceeded`));
  });

  it('refuses too many directives', async () => {
    const fields = Array.from({ length: limits.maxDirectives + 1 }, () => `__typename @include(if: true)`).join(' ');
    const result = await server.gql(`{ ${fields} }`, {}, fx.keys.admin);
    expect(codeOf(result)).toBe('OPERATION_LIMIT');
    expect(result.errors![0]!.message).toMatch(/Directives limit/);
  });

  it('refuses a document with too many tokens', async () => {
    const ids = Array.from({ length: limits.maxTokens }, (_, i) => `"id-${i}"`).join(' ');
    const result = await server.gql(`{ nodes(ids: [${ids}]) { id } }`, {}, fx.keys.admin);
    expect(result.status).toBe(400);
    expect(codeOf(result)).toBe('OPERATION_LIMIT');
    expect(result.errors![0]!.message).toBe(`Document has more than the limit of ${limits.maxTokens} tokens`);
  });

  it('refuses a request body above MAX_BODY_BYTES with 413', async () => {
    const small = await startTestServer(database, { MAX_BODY_BYTES: '2000' });
    try {
      const response = await fetch(small.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${fx.keys.admin}` },
        body: JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(3000) } }),
      });
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ error: 'Request body larger than 2000 bytes' });
    } finally {
      await small.stop();
    }
  });

  it('answers batched requests with a clear refusal', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${fx.keys.admin}` },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/batch/i);
  });
});

describe('rate limits', () => {
  it('gives each API key its own budget and answers 429 RATE_LIMITED with Retry-After', async () => {
    const limited = await startTestServer(database, { RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_ANONYMOUS_PER_MINUTE: '2' });
    try {
      for (let i = 0; i < 3; i += 1) expect((await limited.gql('{ __typename }', {}, fx.keys.admin)).status).toBe(200);
      const refused = await fetch(limited.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${fx.keys.admin}` },
        body: JSON.stringify({ query: '{ leads(first: 1) { totalCount } }' }),
      });
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      const body = (await refused.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
      expect(body.errors[0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', limitPerMinute: 3, retryAfterSeconds: retryAfter });
      expect(body.errors[0]!.message).toMatch(/3 requests per minute for this API key/);
      // Another key is not affected.
      expect((await limited.gql('{ leads(first: 1) { totalCount } }', {}, fx.keys.marketing)).status).toBe(200);
      // Without a valid key the budget is per address, and smaller; bad keys count against it.
      expect((await limited.gql('{ __typename }')).status).toBe(200);
      expect((await limited.gql('{ __typename }', {}, 'sla_not-a-real-key')).status).toBe(200);
      const anonymous = await limited.gql('{ __typename }');
      expect(anonymous.status).toBe(429);
      expect(anonymous.errors![0]!.message).toMatch(/2 requests per minute for requests without a valid API key/);
    } finally {
      await limited.stop();
    }
  });
});

describe('production mode', () => {
  let prod: TestServer;
  const lines: string[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    prod = await startTestServer(database, { NODE_ENV: 'production', LOG_LEVEL: 'info' }, createLogger('info', sink));
  });
  afterAll(async () => {
    await prod?.stop();
  });

  it('has introspection off', async () => {
    const result = await prod.gql('{ __schema { types { name } } }', {}, fx.keys.admin);
    expect(result.status).toBe(400);
    expect(codeOf(result)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors![0]!.message).toMatch(/introspection is not allowed/i);
  });

  it('serves no playground', async () => {
    const response = await fetch(prod.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).not.toMatch(/html/);
    expect(await response.text()).not.toMatch(/<html|sandbox|embeddable/i);
  });

  it('gives no field suggestions and no stack traces', async () => {
    const result = await prod.gql('{ leadz(first: 1) { totalCount } }', {}, fx.keys.admin);
    expect(result.status).toBe(400);
    expect(result.errors![0]!.message).not.toMatch(/did you mean|leads/i);
    expect(JSON.stringify(result)).not.toMatch(/stacktrace|at .*\.ts:\d+/);
    const dev = await server.gql('{ leadz(first: 1) { totalCount } }', {}, fx.keys.admin);
    expect(dev.errors![0]!.message).toMatch(/Did you mean "lead" or "leads"/);
  });

  it('refuses cross-site requests (CSRF prevention)', async () => {
    const form = await fetch(prod.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ __typename }"}' });
    expect(form.status).toBe(400);
    expect(await form.text()).toMatch(/CSRF/);
    const simpleGet = await fetch(`${prod.url}?query=%7B__typename%7D`);
    expect(simpleGet.status).toBe(400);
  });

  it('logs each request as one JSON line with no key, e-mail, phone or variables', async () => {
    lines.length = 0;
    const email = 'private.person@example.org';
    const phone = '+1 555 0100 9999';
    const leadId = encodeGlobalID('Lead', fx.leadIds[0]!);
    const response = await fetch(prod.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${fx.keys.admin}`, 'x-request-id': 'req-limits-1' },
      body: JSON.stringify({
        operationName: 'Touch',
        query: `mutation Touch($input: UpdateLeadInput!) { updateLead(input: $input) { __typename } }`,
        variables: { input: { leadId, email, phone } },
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('req-limits-1');
    // Answers depend on the key: no browser or shared cache keeps them.
    expect(response.headers.get('cache-control')).toBe('no-store');
    await prod.gql('{ leads(first: 1) { totalCount } }', {}, 'sla_wrong-key-0123456789');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const log = lines.join('\n');
    expect(log).not.toContain(fx.keys.admin);
    expect(log).not.toContain('sla_wrong-key');
    expect(log).not.toContain(email);
    expect(log).not.toContain(phone);
    const requests = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.msg === 'request');
    expect(requests[0]).toMatchObject({ reqId: 'req-limits-1', method: 'POST', path: '/graphql', status: 200, operation: 'Touch', role: 'admin' });
    expect(typeof requests[0]!.keyId).toBe('string');
    expect(typeof requests[0]!.ms).toBe('number');
    expect(requests[1]).toMatchObject({ status: 401, errorCodes: ['UNAUTHENTICATED'] });
    expect(requests[1]!.role).toBeUndefined();
  });

  // Last: it breaks the database on purpose.
  it('answers an internal failure with a bare INTERNAL_SERVER_ERROR and logs the cause', async () => {
    lines.length = 0;
    await database.db.execute(sql`alter table webhook_subscriptions rename to webhook_subscriptions_gone`);
    try {
      const result = await prod.gql('{ webhookSubscriptions(first: 5) { edges { node { id } } } }', {}, fx.keys.admin);
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0]).toEqual({ message: 'Internal server error', path: ['webhookSubscriptions'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(lines.join('\n')).toMatch(/webhook_subscriptions/);
      // The SQL is logged for the operator; its parameters (which may be personal data) are not.
      expect(lines.join('\n')).not.toMatch(/params:/);
    } finally {
      await database.db.execute(sql`alter table webhook_subscriptions_gone rename to webhook_subscriptions`);
    }
  });
});

describe.skipIf(!onPostgres)('timeouts on real PostgreSQL', () => {
  /** Holds an exclusive lock on `leads` from another connection for `ms`. */
  async function lockLeads(ms: number) {
    const other = postgres(database.url!, { max: 1, onnotice: () => {} });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const locked = new Promise<void>((resolve) => {
      void other.begin(async (tx) => {
        await tx`lock table leads in access exclusive mode`;
        resolve();
        await Promise.race([released, new Promise((r) => setTimeout(r, ms))]);
      });
    });
    await locked;
    return {
      async release() {
        release();
        await other.end({ timeout: 5 });
      },
    };
  }

  it('cancels a statement past statement_timeout with STATEMENT_TIMEOUT and changes nothing', async () => {
    const short: Database = openDatabase({ url: database.url!, maxConnections: 2, statementTimeoutMs: 300 });
    const timed = await startTestServer(short, { STATEMENT_TIMEOUT_MS: '300', DATABASE_URL: database.url! });
    const leadId = fx.leadIds[1]!;
    const before = await rows<{ first_name: string | null }>(database.db, sql`select first_name from leads where id = ${leadId}`);
    const lock = await lockLeads(5_000);
    try {
      const started = Date.now();
      const result = await timed.gql(
        `mutation($input: UpdateLeadInput!) { updateLead(input: $input) { __typename } }`,
        { input: { leadId: encodeGlobalID('Lead', leadId), firstName: 'Timed Out' } },
        fx.keys.admin,
      );
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(codeOf(result)).toBe('STATEMENT_TIMEOUT');
      expect(result.errors![0]!.message).toBe('A database statement ran longer than the statement_timeout of 300 ms and was cancelled; nothing was changed');
    } finally {
      await lock.release();
      await timed.stop();
      await short.close();
    }
    const after = await rows<{ first_name: string | null }>(database.db, sql`select first_name from leads where id = ${leadId}`);
    expect(after).toEqual(before);
  });

  it('answers REQUEST_TIMEOUT at the deadline and rolls the late transaction back', async () => {
    const timed = await startTestServer(database, { REQUEST_TIMEOUT_MS: '400' });
    const leadId = fx.leadIds[2]!;
    const before = await rows<{ first_name: string | null; version: number }>(database.db, sql`select first_name, version from leads where id = ${leadId}`);
    const lock = await lockLeads(10_000);
    try {
      const started = Date.now();
      const response = await fetch(timed.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${fx.keys.admin}` },
        body: JSON.stringify({
          query: `mutation($input: UpdateLeadInput!) { updateLead(input: $input) { __typename } }`,
          variables: { input: { leadId: encodeGlobalID('Lead', leadId), firstName: 'Too Late' } },
        }),
      });
      const elapsed = Date.now() - started;
      expect(response.status).toBe(503);
      expect(elapsed).toBeGreaterThanOrEqual(390);
      expect(elapsed).toBeLessThan(3_000);
      expect(await response.json()).toEqual({
        errors: [{ message: 'The request took longer than 400 ms and was stopped; its transactions still open were rolled back (work already finished may have been saved: check before retrying)', extensions: { code: 'REQUEST_TIMEOUT' } }],
      });
    } finally {
      await lock.release();
    }
    // The mutation now gets its lock and runs to its commit, where the expired deadline rolls it back.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await timed.stop();
    const after = await rows<{ first_name: string | null; version: number }>(database.db, sql`select first_name, version from leads where id = ${leadId}`);
    expect(after).toEqual(before);
  });
});
