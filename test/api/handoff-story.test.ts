import { decodeGlobalID } from '@pothos/plugin-relay';
import { DateTime } from 'luxon';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { rows } from '../../db/client';
import { WebhookDispatcher } from '../../domain/webhooks/dispatcher';
import { verifySignature } from '../../domain/webhooks/signature';
import { tick } from '../../domain/clocks/scheduler';
import { acceptLead } from '../../domain/handoff/sales';
import { completeRules } from '../helpers/agreement-input';
import { openTestDatabase } from '../helpers/db';
import { buildFixture, type Fixture } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/server';

// The story, through GraphQL over HTTP: demo request → hand-off → routed → no attempt in
// 4 business hours → breach → accepted → six attempts over ten days → automatic recycle with a
// reason → nurture → new interest → MQL → hand-off again.

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let server: TestServer;
let fx: Fixture;
let leadId: string;
let receiver: Server;
let secret: string;
const received: { type: string; signature: string | undefined; body: string }[] = [];

const ZONE = 'America/New_York';
// A Friday 16:00 in New York, at least two weeks ago.
const friday = (() => {
  let d = DateTime.now().setZone(ZONE).minus({ days: 14 }).set({ hour: 16, minute: 0, second: 0, millisecond: 0 });
  while (d.weekday !== 5) d = d.minus({ days: 1 });
  return d;
})();
const T0 = friday.toJSDate();

const ok = async (query: string, variables: Record<string, unknown>, key: string) => {
  const result = await server.gql(query, variables, key);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!;
};

const LEAD = `query($id: ID!) { lead(id: $id) { stage handoffStatus version owner { name } handedOffAt
  slaClocks { clock status dueAt } slaBreaches { clock resolvedAt }
  contactAttempts { attemptNumber cadenceFlags }
  stageTransitions { fromStage toStage actorType reasonCode }
  nurtureEnrolments { workflowKey status exitReason } } }`;

beforeAll(async () => {
  database = await openTestDatabase();
  fx = await buildFixture(database.db, 2, { agreementStatus: 'archived' });
  server = await startTestServer(database);
  const rules = completeRules([`User:${fx.userIds.salesA}`, `User:${fx.userIds.salesB}`].map((s) => Buffer.from(s).toString('base64')));
  // The lead is recycled at least four days before the story's end, when it must qualify again.
  rules.recycleRules[0].requalifyAfterDays = 2;
  const created = await ok(
    `mutation($input: CreateSlaAgreementInput!) { createSlaAgreement(input: $input) { __typename ... on SlaAgreementPayload { revision { id } } ... on ValidationError { problems { field message } } } }`,
    { input: { name: 'Story SLA', rules } },
    fx.keys.admin,
  );
  expect(created.createSlaAgreement.__typename).toBe('SlaAgreementPayload');
  await ok(`mutation($id: ID!) { activateAgreementRevision(input: { revisionId: $id }) { __typename } }`, { id: created.createSlaAgreement.revision.id }, fx.keys.admin);

  // A local receiver for sla.breached.
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ type: String(req.headers['x-sla-event-type']), signature: req.headers['x-sla-signature'] as string | undefined, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as { port: number };
  const subscribed = await ok(
    `mutation($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { __typename ... on CreateWebhookSubscriptionPayload { secret } } }`,
    { input: { url: `http://127.0.0.1:${port}/hooks`, eventTypes: ['sla.breached'] } },
    fx.keys.admin,
  );
  secret = subscribed.createWebhookSubscription.secret;
});
afterAll(async () => {
  await new Promise((resolve) => receiver?.close(resolve));
  await server?.stop();
  await database?.dispose();
});

describe('hand-off, clocks, cadence, recycle, nurture, and back', () => {
  it('hands a demo request off at once and routes it by weight', async () => {
    const data = await ok(
      `mutation($events: [ActivityEventInput!]!) { recordActivities(input: { events: $events }) { ... on RecordActivitiesPayload { results { lead { id } } } } }`,
      { events: [{ clientEventId: 'demo-1', type: 'DEMO_REQUEST', occurredAt: T0.toISOString(), email: 'dana@umbrella.test',
        lead: { firstName: 'Dana', phone: '+1 555 0100', companyName: 'Umbrella', seniority: 'VP', companySize: 800, source: 'paid_search' } }] },
      fx.keys.marketing,
    );
    leadId = data.recordActivities.results[0].lead.id;
    const { lead } = await ok(LEAD, { id: leadId }, fx.keys.admin);
    // Sue has weight 2, Sam weight 1: Sue is furthest behind her share and gets the first lead.
    expect(lead).toMatchObject({ stage: 'MQL', handoffStatus: 'ROUTED', owner: { name: 'Sue Seller' }, handedOffAt: T0.toISOString() });
    const response = lead.slaClocks.find((c: { clock: string }) => c.clock === 'RESPONSE');
    const acceptance = lead.slaClocks.find((c: { clock: string }) => c.clock === 'ACCEPTANCE');
    // Friday 16:00 + 4 business hours (09:00–17:00) = Monday 12:00 New York time; + 8 = Monday 16:00.
    expect(response).toEqual({ clock: 'RESPONSE', status: 'RUNNING', dueAt: friday.plus({ days: 3 }).set({ hour: 12 }).toUTC().toISO() });
    expect(acceptance.dueAt).toBe(friday.plus({ days: 3 }).set({ hour: 16 }).toUTC().toISO());
  });

  it('records a breach when nobody called within 4 business hours', async () => {
    const due = friday.plus({ days: 3 }).set({ hour: 12 }).toJSDate();
    expect(await tick(database.db, new Date(due.getTime() - 60_000))).toEqual({ breaches: 0, nurtureSteps: 0, released: 0, absencesHandedOver: 0 });
    expect(await tick(database.db, new Date(due.getTime() + 60_000))).toEqual({ breaches: 1, nurtureSteps: 0, released: 0, absencesHandedOver: 0 });
    const { lead } = await ok(LEAD, { id: leadId }, fx.keys.admin);
    expect(lead.slaBreaches).toEqual([{ clock: 'RESPONSE', resolvedAt: null }]);
    const events = await rows<{ event_type: string }>(database.db, sql`select event_type from outbox_events where lead_id = ${decodeGlobalID(leadId).id}::uuid order by id`);
    expect(events.map((e) => e.event_type)).toEqual(['lead.mql', 'lead.handed_off', 'sla.breached']);

    // …and the receiver gets it, signed.
    await new WebhookDispatcher(database.db, { backoffBaseMs: 10 }).runOnce();
    expect(received.map((r) => r.type)).toEqual(['sla.breached']);
    expect(verifySignature(secret, received[0]!.signature, received[0]!.body)).toBe(true);
    expect(JSON.parse(received[0]!.body)).toMatchObject({ type: 'sla.breached', data: { clock: 'response', leadId: decodeGlobalID(leadId).id } });
  });

  it('lets only the owner accept, then recycles after six attempts without progress', async () => {
    // Another rep's lead does not exist for rep A: NotFound, as for a missing lead (issue 13).
    const foreign = await ok(`mutation($id: ID!) { acceptLead(input: { leadId: $id }) { __typename } }`, { id: leadId }, fx.keys.salesA);
    expect(foreign.acceptLead.__typename).toBe('NotFoundError');
    // The rep accepted on Monday morning (the story is told afterwards: the service takes the instant;
    // moves are never dated before the lead entered its stage, so the history reads in order).
    await acceptLead(database.db, { userId: fx.userIds.salesB, role: 'sales', keyId: 'story' }, { leadId: decodeGlobalID(leadId).id }, friday.plus({ days: 3 }).set({ hour: 9, minute: 30 }).toJSDate());
    const { lead: accepted } = await ok(`query($id: ID!) { lead(id: $id) { stage handoffStatus } }`, { id: leadId }, fx.keys.salesB);
    expect(accepted).toEqual({ stage: 'SQL', handoffStatus: 'ACCEPTED' });

    const LOG = `mutation($input: LogContactAttemptInput!) { logContactAttempt(input: $input) { __typename
      ... on LogContactAttemptPayload { recycled nextAttemptDueAt attempt { attemptNumber cadenceFlags } } } }`;
    const days = [3, 3, 5, 6, 8, 10];
    const results = [];
    for (const [i, d] of days.entries()) {
      const at = friday.plus({ days: d }).set({ hour: 10 + i }).toJSDate();
      const channel = i === 2 ? 'SMS' : 'PHONE';
      results.push((await ok(LOG, { input: { leadId, channel, outcome: 'NO_ANSWER', occurredAt: at.toISOString() } }, fx.keys.salesB)).logContactAttempt);
    }
    expect(results.map((r) => r.attempt.attemptNumber)).toEqual([1, 2, 3, 4, 5, 6]);
    // the 2nd attempt came an hour after the 1st (minimum interval: 1 business day); the 3rd used SMS
    expect(results[1].attempt.cadenceFlags).toEqual(['too_soon']);
    expect(results[2].attempt.cadenceFlags).toEqual(['channel_not_allowed']);
    expect(results.map((r) => r.recycled)).toEqual([false, false, false, false, false, true]);
    expect(results[0].nextAttemptDueAt).toBe(friday.plus({ days: 4 }).set({ hour: 10 }).toUTC().toISO());

    const { lead } = await ok(LEAD, { id: leadId }, fx.keys.admin);
    expect(lead.stage).toBe('RECYCLED');
    expect(lead.stageTransitions.at(-1)).toEqual({ fromStage: 'SQL', toStage: 'RECYCLED', actorType: 'SYSTEM', reasonCode: 'no_response' });
    expect(lead.slaBreaches[0].resolvedAt).not.toBeNull(); // resolved by the first attempt
    expect(lead.nurtureEnrolments).toEqual([{ workflowKey: 'reengage', status: 'ACTIVE', exitReason: null }]);
  });

  it('emits due nurture steps, then re-qualifies on new interest and hands off again', async () => {
    const steps = await tick(database.db, new Date());
    expect(steps.nurtureSteps).toBeGreaterThanOrEqual(1);
    const now = Date.now();
    await ok(
      `mutation($events: [ActivityEventInput!]!) { recordActivities(input: { events: $events }) { __typename } }`,
      {
        events: [
          { clientEventId: 'w-1', type: 'WEBINAR_ATTENDANCE', occurredAt: new Date(now - 3_600_000).toISOString(), email: 'dana@umbrella.test' },
          ...[1, 2, 3].map((i) => ({ clientEventId: `p-${i}`, type: 'PAGE_VIEW', occurredAt: new Date(now - i * 60_000).toISOString(), email: 'dana@umbrella.test', properties: { url: '/pricing' } })),
        ],
      },
      fx.keys.marketing,
    );
    const { lead } = await ok(LEAD, { id: leadId }, fx.keys.admin);
    expect(lead).toMatchObject({ stage: 'MQL', handoffStatus: 'ROUTED' });
    expect(lead.stageTransitions.at(-1)).toMatchObject({ fromStage: 'RECYCLED', toStage: 'MQL', actorType: 'SYSTEM' });
    expect(lead.nurtureEnrolments[0]).toEqual({ workflowKey: 'reengage', status: 'EXITED', exitReason: 'handed off to sales' });
    // Only the new hand-off's clocks run: nothing left over from the first round.
    expect(lead.slaClocks.filter((c: { status: string }) => c.status === 'RUNNING').map((c: { clock: string }) => c.clock).sort()).toEqual(['ACCEPTANCE', 'RESPONSE']);
    const owner = lead.owner.name === 'Sam Seller' ? fx.keys.salesA : fx.keys.salesB;
    const queue = await ok(`{ workQueue { lead { id } dueClock } }`, {}, owner);
    expect(queue.workQueue.map((q: { lead: { id: string } }) => q.lead.id)).toContain(leadId);
  });
});
