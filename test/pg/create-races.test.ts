import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../helpers/db';
import { buildFixture, type Fixture } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/server';

// Twins created at the same instant: one wins, the other gets a typed ConflictError (not an
// internal error). Needs real connections, so PostgreSQL only.
const onPostgres = !!process.env.TEST_DATABASE_URL;

describe.skipIf(!onPostgres)('concurrent identical creations', () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let server: TestServer;
  let fx: Fixture;
  beforeAll(async () => {
    database = await openTestDatabase();
    fx = await buildFixture(database.db, 1);
    server = await startTestServer(database);
  });
  afterAll(async () => {
    await server?.stop();
    await database?.dispose();
  });

  it('answers ConflictError to the losers of a createLead race', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        server.gql(`mutation { createLead(input: { email: "twin@race.test", source: "events" }) { __typename } }`, {}, fx.keys.marketing),
      ),
    );
    const kinds = results.map((r) => r.data?.createLead?.__typename ?? r.errors?.[0]?.extensions?.code);
    expect(kinds.filter((k) => k === 'LeadPayload')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'ConflictError')).toHaveLength(7);
  });

  it('answers ConflictError or ValidationError, never an internal error, to a createSlaAgreement race', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        server.gql(`mutation { createSlaAgreement(input: { name: "Twin SLA" }) { __typename } }`, {}, fx.keys.admin),
      ),
    );
    const kinds = results.map((r) => r.data?.createSlaAgreement?.__typename ?? r.errors?.[0]?.extensions?.code);
    expect(kinds.filter((k) => k === 'SlaAgreementPayload')).toHaveLength(1);
    expect(kinds.every((k) => ['SlaAgreementPayload', 'ConflictError', 'ValidationError'].includes(String(k)))).toBe(true);
  });
});

describe.skipIf(onPostgres)('concurrent identical creations', () => {
  it('run on real PostgreSQL only (set TEST_DATABASE_URL); .ci/run does', () => expect(onPostgres).toBe(false));
});
