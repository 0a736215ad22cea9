import { encodeGlobalID } from '@pothos/plugin-relay';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client';
import { handRules } from '../helpers/agreement-input';
import { openTestDatabase } from '../helpers/db';
import { buildFixture, type Fixture } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/server';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let server: TestServer;
let fx: Fixture;

const DAY = 86_400_000;

beforeAll(async () => {
  database = await openTestDatabase();
  fx = await buildFixture(database.db, 2, { agreementStatus: 'archived' });
  server = await startTestServer(database);
  const created = await server.gql(
    `mutation($input: CreateSlaAgreementInput!) { createSlaAgreement(input: $input) { ... on SlaAgreementPayload { revision { id } } ... on ValidationError { problems { field message } } } }`,
    { input: { name: 'Scoring SLA', rules: handRules() } },
    fx.keys.admin,
  );
  const revisionId = created.data!.createSlaAgreement.revision.id;
  const activated = await server.gql(`mutation($id: ID!) { activateAgreementRevision(input: { revisionId: $id }) { __typename } }`, { id: revisionId }, fx.keys.admin);
  expect(activated.data!.activateAgreementRevision.__typename).toBe('SlaAgreementPayload');
});
afterAll(async () => {
  await server?.stop();
  await database?.dispose();
});

const RECORD = /* GraphQL */ `
  mutation Record($events: [ActivityEventInput!]!) {
    recordActivities(input: { events: $events }) {
      __typename
      ... on RecordActivitiesPayload { recorded duplicates leadsCreated results { clientEventId status leadCreated lead { id } } newMqls { email stage } }
      ... on ValidationError { problems { field message } }
    }
  }
`;

describe('activity ingestion and scoring', () => {
  it('matches a hand-computed score to the point and equals the ledger', async () => {
    const now = Date.now();
    const at = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
    const lead = { seniority: 'VP', firstName: 'Vera', lastName: 'Price', source: 'referral' };
    const events = [
      // webinar 60 days ago: 20 × 0.5^(60/30) = 5
      { clientEventId: 'e1', type: 'WEBINAR_ATTENDANCE', occurredAt: at(60), email: 'vera@acme.test', lead },
      // pricing views: the first two of the 30-day period score 10 each, the rest of the period nothing
      { clientEventId: 'e2', type: 'PAGE_VIEW', occurredAt: at(20), email: 'vera@acme.test', properties: { url: 'https://x.test/pricing' } },
      { clientEventId: 'e3', type: 'PAGE_VIEW', occurredAt: at(19), email: 'vera@acme.test', properties: { url: 'https://x.test/pricing?plan=pro' } },
      { clientEventId: 'e4', type: 'PAGE_VIEW', occurredAt: at(18), email: 'vera@acme.test', properties: { url: 'https://x.test/pricing' } },
      { clientEventId: 'e5', type: 'PAGE_VIEW', occurredAt: at(5), email: 'vera@acme.test', properties: { url: 'https://x.test/pricing' } },
      // not a pricing page: no points
      { clientEventId: 'e6', type: 'PAGE_VIEW', occurredAt: at(4), email: 'vera@acme.test', properties: { url: 'https://x.test/blog' } },
    ];
    const result = await server.gql(RECORD, { events }, fx.keys.marketing);
    expect(result.errors).toBeUndefined();
    const payload = result.data!.recordActivities;
    expect(payload).toMatchObject({ __typename: 'RecordActivitiesPayload', recorded: 6, duplicates: 0, leadsCreated: 1 });
    // fit 30 ≥ 30 and interest 5 + 20 = 25 ≥ 25: MQL
    expect(payload.newMqls).toEqual([{ email: 'vera@acme.test', stage: 'MQL' }]);

    const leadId = payload.results[0].lead.id;
    const read = await server.gql(
      `query($id: ID!) { lead(id: $id) { stage score { fit interest total temperature fitGrade }
        stageTransitions { fromStage toStage actorType reason }
        scoreLedger { dimension points decayHalfLifeDays } } }`,
      { id: leadId },
      fx.keys.admin,
    );
    const l = read.data!.lead;
    expect(l.score).toEqual({ fit: 30, interest: 25, total: 55, temperature: 'WARM', fitGrade: 'A' });
    expect(l.stageTransitions).toEqual([
      { fromStage: null, toStage: 'LEAD', actorType: 'SYSTEM', reason: 'created from an activity event' },
      { fromStage: 'LEAD', toStage: 'MQL', actorType: 'SYSTEM', reason: 'fit 30 ≥ 30 and interest 25 ≥ 25' },
    ]);
    const ledger = l.scoreLedger as { dimension: string; points: number; decayHalfLifeDays: number | null }[];
    expect(ledger.map((e) => [e.dimension, e.points]).sort()).toEqual([['FIT', 30], ['INTEREST', 10], ['INTEREST', 10], ['INTEREST', 20]]);
    const decayed = ledger.reduce((sum, e) => sum + (e.decayHalfLifeDays ? e.points * 0.5 ** (60 / e.decayHalfLifeDays) : e.points), 0);
    expect(Math.round(decayed)).toBe(55);
  });

  it('is idempotent: the same batch again changes nothing', async () => {
    const before = await rows<{ n: number; s: number }>(database.db, sql`select count(*)::int as n, coalesce(sum(points), 0)::int as s from score_ledger`);
    const again = await server.gql(
      RECORD,
      { events: [{ clientEventId: 'e2', type: 'PAGE_VIEW', occurredAt: new Date(Date.now() - 20 * DAY).toISOString(), email: 'vera@acme.test', properties: { url: 'https://x.test/pricing' } }] },
      fx.keys.marketing,
    );
    expect(again.data!.recordActivities).toMatchObject({ recorded: 0, duplicates: 1, results: [{ clientEventId: 'e2', status: 'DUPLICATE' }] });
    const after = await rows<{ n: number; s: number }>(database.db, sql`select count(*)::int as n, coalesce(sum(points), 0)::int as s from score_ledger`);
    expect(after).toEqual(before);
  });

  it('refuses a bad batch with a problem per event, writing nothing', async () => {
    const count = async () => (await rows<{ n: number }>(database.db, sql`select count(*)::int as n from activities`))[0]!.n;
    const before = await count();
    const result = await server.gql(
      RECORD,
      {
        events: [
          { clientEventId: 'ok-1', type: 'EMAIL_OPEN', occurredAt: new Date().toISOString(), email: 'vera@acme.test' },
          { clientEventId: 'bad-1', type: 'EMAIL_OPEN', occurredAt: new Date(Date.now() + 7 * DAY).toISOString(), email: 'vera@acme.test' },
          { clientEventId: 'bad-2', type: 'EMAIL_OPEN', occurredAt: new Date().toISOString() },
          { clientEventId: 'bad-3', type: 'EMAIL_OPEN', occurredAt: new Date().toISOString(), email: 'not-an-email' },
        ],
      },
      fx.keys.marketing,
    );
    expect(result.data!.recordActivities.__typename).toBe('ValidationError');
    expect(result.data!.recordActivities.problems).toEqual([
      { field: 'input.events[1].occurredAt', message: 'is in the future' },
      { field: 'input.events[3].email', message: 'not an e-mail address' },
    ]);
    expect(await count()).toBe(before);
  });

  it('does not let sales or viewers send events', async () => {
    const result = await server.gql(RECORD, { events: [{ clientEventId: 'x', type: 'EMAIL_OPEN', occurredAt: new Date().toISOString(), email: 'a@b.test' }] }, fx.keys.viewer);
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('upserts daily traffic', async () => {
    const send = (visitors: number) =>
      server.gql(`mutation($days: [DailyTrafficInput!]!) { recordDailyTraffic(input: { days: $days }) { __typename ... on RecordDailyTrafficPayload { days } } }`, { days: [{ day: '2026-01-05', source: 'paid_search', visitors }] }, fx.keys.marketing);
    await send(100);
    await send(120);
    expect(await rows(database.db, sql`select day::text, source, visitors from daily_traffic`)).toEqual([{ day: '2026-01-05', source: 'paid_search', visitors: 120 }]);
    const bad = await server.gql(`mutation { recordDailyTraffic(input: { days: [{ day: "2026-02-30", source: "x", visitors: 1 }] }) { __typename } }`, {}, fx.keys.marketing);
    expect(bad.errors?.[0]?.message).toMatch(/Invalid Date "2026-02-30"/);
  });
});

void encodeGlobalID;

describe('activity timelines', () => {
  it('come from one statement for a whole page of leads, newest first', async () => {
    const { captureStatements } = await import('../helpers/db');
    const { result, statements } = await captureStatements(database, () =>
      server.gql(`{ leads(first: 50) { edges { node { email activities(first: 2) { edges { node { clientEventId } } pageInfo { hasNextPage } } } } } }`, {}, fx.keys.admin),
    );
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    expect(statements.filter((s) => /from activities a/.test(s))).toHaveLength(1);
    const vera = result.data!.leads.edges.find((e: { node: { email: string } }) => e.node.email === 'vera@acme.test').node;
    expect(vera.activities).toEqual({ edges: [{ node: { clientEventId: 'e6' } }, { node: { clientEventId: 'e5' } }], pageInfo: { hasNextPage: true } });
  });
});
