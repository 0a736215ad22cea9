import { encodeGlobalID } from '@pothos/plugin-relay';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client';
import { tick } from '../../domain/clocks/scheduler';
import { updateLead } from '../../domain/leads/leads';
import { completeRules } from '../helpers/agreement-input';
import { openTestDatabase } from '../helpers/db';
import { buildFixture, type Fixture } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/server';

// A held hand-off released by two requests at once (the missing phone arrives while scheduler
// passes run on two instances): it is routed once — one owner, one pair of clocks, one
// lead.handed_off event. Needs real connections, so PostgreSQL only.
const onPostgres = !!process.env.TEST_DATABASE_URL;

describe.skipIf(!onPostgres)('releasing a held hand-off concurrently', () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let server: TestServer;
  let fx: Fixture;
  beforeAll(async () => {
    database = await openTestDatabase();
    fx = await buildFixture(database.db, 0, { agreementStatus: 'archived' });
    server = await startTestServer(database, { WEBHOOKS_ENABLED: 'false', SCHEDULER_INTERVAL_MS: '0' });
    const rules = completeRules([encodeGlobalID('User', fx.userIds.salesA), encodeGlobalID('User', fx.userIds.salesB)]);
    const created = await server.gql(
      `mutation($input: CreateSlaAgreementInput!) { createSlaAgreement(input: $input) { ... on SlaAgreementPayload { revision { id } } } }`,
      { input: { name: 'Race SLA', rules } },
      fx.keys.admin,
    );
    await server.gql(`mutation($id: ID!) { activateAgreementRevision(input: { revisionId: $id, rescore: NONE }) { __typename } }`, { id: created.data!.createSlaAgreement.revision.id }, fx.keys.admin);
  });
  afterAll(async () => {
    await server?.stop();
    await database?.dispose();
  });

  it('routes it once', async () => {
    for (let round = 0; round < 10; round++) {
      const events = Array.from({ length: 5 }, (_, i) => ({
        clientEventId: `race-${round}-${i}`,
        type: 'DEMO_REQUEST',
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
        email: `held${round}-${i}@race.test`,
        lead: { firstName: 'H', companyName: 'Race', source: 'referral' },
      }));
      await server.gql(`mutation($e: [ActivityEventInput!]!) { recordActivities(input: { events: $e }) { __typename } }`, { e: events }, fx.keys.marketing);
      const held = await rows<{ id: string }>(database.db, sql`select id from leads where email like ${`held${round}-%`} and handoff_status = 'held'`);
      expect(held).toHaveLength(5);
      // Each lead gets its phone while two scheduler passes run.
      await Promise.all([
        ...held.map((l) => updateLead(database.db, l.id, { phone: '+1 555 0100' })),
        tick(database.db),
        tick(database.db),
      ]);
    }
    const wrong = await rows<{ lead_id: string; routed: number; events: number; responses: number }>(
      database.db,
      sql`select h.lead_id,
          (select count(*)::int from handoffs x where x.lead_id = h.lead_id and x.handed_off_at is not null) as routed,
          (select count(*)::int from outbox_events o where o.lead_id = h.lead_id and o.event_type = 'lead.handed_off') as events,
          (select count(*)::int from sla_clocks c where c.lead_id = h.lead_id and c.clock = 'response') as responses
        from handoffs h`,
    );
    expect(wrong.length).toBe(50);
    expect(wrong.filter((w) => w.routed !== 1 || w.events !== 1 || w.responses !== 1)).toEqual([]);
    const owners = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from leads l join handoffs h on h.lead_id = l.id where l.owner_id is distinct from h.owner_id`);
    expect(owners[0]!.n).toBe(0);
  });
});
