import { encodeGlobalID } from '@pothos/plugin-relay';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureStatements, openTestDatabase } from '../helpers/db';
import { buildFixture, type Fixture } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/server';

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

const LEADS_PAGE = /* GraphQL */ `
  query LeadsPage($first: Int, $after: String) {
    leads(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          email
          stage
          score { fit interest total }
          account { id name rollup { leadCount score } }
          owner { id name }
          stageTransitions { id fromStage toStage actorType occurredAt }
          scoreLedger { id dimension points }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

describe('leads(first: 100) with account, owner, transitions and ledger', () => {
  it('issues one SQL statement per list level', async () => {
    const { result, statements } = await captureStatements(database, () =>
      server.gql(LEADS_PAGE, { first: 100 }, fx.keys.admin),
    );
    expect(result.errors).toBeUndefined();
    const edges = result.data!.leads.edges;
    expect(edges).toHaveLength(100);
    // auth + leads + accounts + account roll-ups + owners + transitions + ledger
    const fromTables = statements.map((s) => /from "(\w+)"/.exec(s)?.[1]);
    expect(fromTables.sort()).toEqual(
      ['api_keys', 'leads', 'accounts', 'leads', 'users', 'stage_transitions', 'score_ledger'].sort(),
    );
    expect(statements.length).toBeLessThanOrEqual(7);

    const first = edges[0].node;
    expect(first.stageTransitions.map((t: { toStage: string }) => t.toStage)).toEqual(['LEAD', 'MQL']);
    expect(first.scoreLedger.reduce((sum: number, e: { points: number }) => sum + e.points, 0)).toBe(first.score.total);
    expect(first.account.rollup.leadCount).toBe(12);
    expect(['Sam Seller', 'Sue Seller']).toContain(first.owner.name);
  });

  it('pages through every lead exactly once, newest first', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await server.gql(LEADS_PAGE, { first: 50, after }, fx.keys.admin);
      expect(page.errors).toBeUndefined();
      seen.push(...page.data!.leads.edges.map((e: { node: { id: string } }) => e.node.id));
      if (!page.data!.leads.pageInfo.hasNextPage) break;
      after = page.data!.leads.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(120);
    expect(new Set(seen).size).toBe(120);
    // newest first: the fixture's last lead comes first
    expect(seen[0]).toBe(encodeGlobalID('Lead', fx.leadIds[119]!));
  });

  it('pages correctly through leads created in one transaction (same created_at), both ways', async () => {
    // One statement: every row gets the same now(), which PostgreSQL keeps to the microsecond
    // unless the column says otherwise. The cursor must still split them exactly.
    await database.db.execute(sql`insert into leads (email, source) select 'same' || g || '@batch.test', 'import' from generate_series(1, 30) g`);
    for (const orderBy of ['CREATED_AT_DESC', 'CREATED_AT_ASC']) {
      const seen: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 20; page++) {
        const result = await server.gql(
          `query($after: String, $orderBy: LeadOrder) { leads(first: 7, after: $after, orderBy: $orderBy, filter: { source: "import" }) { edges { node { email } } pageInfo { hasNextPage endCursor } } }`,
          { after, orderBy },
          fx.keys.admin,
        );
        expect(result.errors).toBeUndefined();
        seen.push(...result.data!.leads.edges.map((e: { node: { email: string } }) => e.node.email));
        if (!result.data!.leads.pageInfo.hasNextPage) break;
        after = result.data!.leads.pageInfo.endCursor;
      }
      expect(seen).toHaveLength(30);
      expect(new Set(seen).size).toBe(30);
    }
    await database.db.execute(sql`delete from leads where email like '%@batch.test'`);
  });

  it('answers a forged cursor with BAD_USER_INPUT', async () => {
    const forged = Buffer.from(JSON.stringify(['not-a-date', 'x'])).toString('base64url');
    const result = await server.gql(`query($after: String) { leads(first: 5, after: $after) { edges { cursor } } }`, { after: forged }, fx.keys.admin);
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a page above 100 with a clear error', async () => {
    const result = await server.gql(LEADS_PAGE, { first: 101 }, fx.keys.admin);
    expect(result.errors?.[0]?.extensions?.code).toBe('OPERATION_LIMIT');
    expect(result.errors?.[0]?.message).toMatch(/maximum page size of 100/);
  });

  it('filters by score range and counts matches', async () => {
    const result = await server.gql(
      `{ leads(first: 100, filter: { minScore: 45 }, orderBy: SCORE_DESC) { totalCount edges { node { score { total } } } } }`,
      {},
      fx.keys.admin,
    );
    expect(result.errors).toBeUndefined();
    const totals = result.data!.leads.edges.map((e: { node: { score: { total: number } } }) => e.node.score.total);
    // fit 10+(i%7), interest 20+(i%11): totals ≥ 45 need (i%7)+(i%11) ≥ 15
    const expected = Array.from({ length: 120 }, (_, i) => 30 + (i % 7) + (i % 11)).filter((t) => t >= 45);
    expect(result.data!.leads.totalCount).toBe(expected.length);
    expect(totals).toEqual([...expected].sort((a, b) => b - a));
  });

  it('resolves node(id) and lead(id) for a lead, and null for an unknown id', async () => {
    const id = encodeGlobalID('Lead', fx.leadIds[3]!);
    const result = await server.gql(
      `query($id: ID!, $missing: ID!) {
        node(id: $id) { id ... on Lead { email } }
        lead(id: $id) { email stage }
        missing: lead(id: $missing) { email }
      }`,
      { id, missing: encodeGlobalID('Lead', '00000000-0000-4000-8000-000000000000') },
      fx.keys.marketing,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      node: { id, email: 'lead3@account3.test' },
      lead: { email: 'lead3@account3.test', stage: 'MQL' },
      missing: null,
    });
  });

  it('lists accounts with their roll-up, users and agreements', async () => {
    const result = await server.gql(
      `{
        accounts(first: 3) { edges { node { name domain rollup { leadCount fitScore } } } }
        users(first: 10, filter: { role: SALES }) { edges { node { name role } } }
        slaAgreements(first: 5) { edges { node { name status activeRevision { number status timeZone } revisions { number } } } }
      }`,
      {},
      fx.keys.admin,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.accounts.edges[0].node).toEqual({
      name: 'Account 00',
      domain: 'account0.test',
      rollup: { leadCount: 12, fitScore: Array.from({ length: 12 }, (_, k) => 10 + ((k * 10) % 7)).reduce((a, b) => a + b) },
    });
    expect(result.data!.users.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(['Sam Seller', 'Sue Seller']);
    expect(result.data!.slaAgreements.edges).toEqual([
      {
        node: {
          name: 'Fixture SLA',
          status: 'ACTIVE',
          activeRevision: { number: 1, status: 'ACTIVE', timeZone: 'Europe/Paris' },
          revisions: [{ number: 1 }],
        },
      },
    ]);
  });
});
