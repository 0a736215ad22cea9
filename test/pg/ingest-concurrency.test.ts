import { encodeGlobalID } from '@pothos/plugin-relay';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client';
import { handRules } from '../helpers/agreement-input';
import { openTestDatabase } from '../helpers/db';
import { buildFixture, type Fixture } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/server';

// Concurrency needs real connections: PGlite is a single connection, so these run on PostgreSQL.
const onPostgres = !!process.env.TEST_DATABASE_URL;

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let server: TestServer;
let fx: Fixture;

const RECORD = `mutation($events: [ActivityEventInput!]!) { recordActivities(input: { events: $events }) { __typename ... on RecordActivitiesPayload { recorded duplicates } ... on ValidationError { problems { field message } } } }`;

describe.skipIf(!onPostgres)('concurrent ingestion on real PostgreSQL', () => {
  beforeAll(async () => {
    database = await openTestDatabase();
    fx = await buildFixture(database.db, 2, { agreementStatus: 'archived' });
    server = await startTestServer(database);
    const created = await server.gql(
      `mutation($input: CreateSlaAgreementInput!) { createSlaAgreement(input: $input) { ... on SlaAgreementPayload { revision { id } } } }`,
      { input: { name: 'Concurrency SLA', rules: handRules() } },
      fx.keys.admin,
    );
    await server.gql(`mutation($id: ID!) { activateAgreementRevision(input: { revisionId: $id }) { __typename } }`, { id: created.data!.createSlaAgreement.revision.id }, fx.keys.admin);
  });
  afterAll(async () => {
    await server?.stop();
    await database?.dispose();
  });

  // 10,000 events over 200 leads, so batches from different streams share leads.
  const events = Array.from({ length: 10_000 }, (_, i) => ({
    clientEventId: `evt-${i}`,
    type: ['PAGE_VIEW', 'WEBINAR_ATTENDANCE', 'EMAIL_OPEN'][i % 3],
    occurredAt: new Date(Date.now() - (i % 97) * 3_600_000).toISOString(),
    email: `lead${i % 200}@wide.test`,
    lead: { seniority: i % 2 ? 'VP' : 'staff', source: 'events' },
    properties: i % 5 === 0 ? { url: '/pricing' } : { url: '/blog' },
  }));
  const batches = (list: typeof events) => Array.from({ length: Math.ceil(list.length / 1000) }, (_, b) => list.slice(b * 1000, b * 1000 + 1000));

  const state = () =>
    rows<{ activities: number; ledger: number; points: number; scores: string }>(
      database.db,
      sql`select (select count(*) from activities)::int as activities,
        (select count(*) from score_ledger)::int as ledger,
        (select coalesce(sum(points), 0) from score_ledger)::int as points,
        (select string_agg(email || ':' || fit_score || '/' || interest_score || '/' || stage, ',' order by email) from leads where email like '%@wide.test') as scores`,
    );

  it('sends 10,000 events once, then again in 4 concurrent streams: exactly 10,000 activities, unchanged scores', async () => {
    for (const batch of batches(events)) {
      const result = await server.gql(RECORD, { events: batch }, fx.keys.marketing);
      expect(result.data!.recordActivities.__typename).toBe('RecordActivitiesPayload');
    }
    const once = await state();
    expect(once[0]!.activities).toBe(10_000);

    // Four streams, each the whole set in a different order of batches, at the same time.
    const all = batches(events);
    const streams = [0, 1, 2, 3].map((s) => all.map((_, i) => all[(i + s * 3) % all.length]!));
    const outcomes = await Promise.all(
      streams.map(async (stream) => {
        let recorded = 0;
        for (const batch of stream) {
          const result = await server.gql(RECORD, { events: batch }, fx.keys.marketing);
          recorded += result.data!.recordActivities.recorded;
        }
        return recorded;
      }),
    );
    expect(outcomes).toEqual([0, 0, 0, 0]);
    expect(await state()).toEqual(once);
  });

  it('never loses or double-counts points when fresh batches on the same leads race', async () => {
    // New events for the same 200 leads, split across 4 concurrent streams.
    const fresh = events.slice(0, 4_000).map((e, i) => ({ ...e, clientEventId: `race-${i}`, type: 'WEBINAR_ATTENDANCE', properties: {} }));
    await Promise.all([0, 1, 2, 3].map((s) => server.gql(RECORD, { events: fresh.slice(s * 1000, s * 1000 + 1000) }, fx.keys.marketing)));
    const [check] = await rows<{ activities: number; bad_leads: number }>(
      database.db,
      sql`select (select count(*) from activities)::int as activities,
        (select count(*) from leads l where l.email like '%@wide.test' and l.fit_score <> (select coalesce(sum(points), 0) from score_ledger s where s.lead_id = l.id and s.dimension = 'fit'))::int as bad_leads`,
    );
    expect(check).toEqual({ activities: 14_000, bad_leads: 0 });
    // every webinar attendance is awarded exactly once (EVERY_TIME policy)
    const [awards] = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from score_ledger s join activities a on a.id = s.activity_id
        where a.client_event_id like 'race-%' and s.reason = 'interest_rule'`,
    );
    expect(awards!.n).toBe(4_000);
  });

  it('leaves exactly one winner among 20 concurrent conflicting moves', async () => {
    const [lead] = await rows<{ id: string }>(database.db, sql`select id from leads where stage = 'mql' and email like '%@wide.test' order by email limit 1`);
    const leadId = encodeGlobalID('Lead', lead!.id);
    const moves = Array.from({ length: 20 }, (_, i) =>
      i % 2 ? { toStage: 'RECYCLED', reasonCode: 'bad_timing' } : { toStage: 'DISQUALIFIED', reasonCode: 'not_a_fit' },
    );
    const results = await Promise.all(
      moves.map((move) =>
        server.gql(
          `mutation($input: ChangeLeadStageInput!) { changeLeadStage(input: $input) { __typename ... on ValidationError { problems { message } } } }`,
          { input: { leadId, fromStage: 'MQL', ...move } },
          fx.keys.admin,
        ),
      ),
    );
    const kinds = results.map((r) => r.data?.changeLeadStage?.__typename ?? JSON.stringify(r.errors));
    expect(kinds.filter((k) => k === 'LeadPayload')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'ConflictError')).toHaveLength(19);
    const transitions = await rows(database.db, sql`select count(*)::int as n from stage_transitions where lead_id = ${lead!.id}::uuid and actor_type = 'user'`);
    expect(transitions).toEqual([{ n: 1 }]);
  });
});

describe.skipIf(onPostgres)('concurrent ingestion', () => {
  it('runs on real PostgreSQL only (set TEST_DATABASE_URL); .ci/run does', () => {
    expect(onPostgres).toBe(false);
  });
});
