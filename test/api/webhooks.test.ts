import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client';
import { backoffDelay } from '../../domain/webhooks/backoff';
import { claimDueDeliveries } from '../../domain/webhooks/delivery';
import { WebhookDispatcher, type WebhookDispatcherOptions } from '../../domain/webhooks/dispatcher';
import { emitEvent, WEBHOOK_EVENT_TYPES } from '../../domain/webhooks/events';
import { fanOutEvents } from '../../domain/webhooks/fan-out';
import { verifySignature } from '../../domain/webhooks/signature';
import { handRules } from '../helpers/agreement-input';
import { openTestDatabase } from '../helpers/db';
import { buildFixture, type Fixture } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/server';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let server: TestServer;
let fx: Fixture;
const leadIds: Record<string, string> = {};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const rawId = (globalId: string) => decodeGlobalID(globalId).id;

const gqlOk = async (query: string, variables: Record<string, unknown>, key = fx.keys.admin) => {
  const result = await server.gql(query, variables, key);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!;
};

// Back-off in milliseconds so retries happen within the test.
const fast: WebhookDispatcherOptions = { backoffBaseMs: 2, backoffMaxMs: 20, timeoutMs: 2_000, maxAttempts: 6 };

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/** A local receiver: `respond` picks the status for each request (it may also wait). */
async function startReceiver(respond: (request: { body: string; headers: IncomingHttpHeaders }) => number | Promise<number>) {
  const log: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const status = await respond({ body, headers: req.headers });
      if (res.destroyed) return;
      log.push({ headers: req.headers, body, status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'down');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    log,
    eventIds: () => log.map((r) => JSON.parse(r.body).id as string),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Receiver answering 500 to the first `failures` requests of each event, then 200. */
function failingFirst(failures: number) {
  const seen = new Map<string, number>();
  return ({ body }: { body: string }) => {
    const id = JSON.parse(body).id as string;
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    return n <= failures ? 500 : 200;
  };
}

const CREATE = `mutation($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { __typename
  ... on CreateWebhookSubscriptionPayload { secret subscription { id url eventTypes active } }
  ... on ValidationError { problems { field message } } } }`;
const UPDATE = `mutation($input: UpdateWebhookSubscriptionInput!) { updateWebhookSubscription(input: $input) { __typename
  ... on WebhookSubscriptionPayload { subscription { id url eventTypes active } }
  ... on ValidationError { problems { field message } } ... on NotFoundError { entity } } }`;
const DELETE = `mutation($id: ID!) { deleteWebhookSubscription(input: { subscriptionId: $id }) { __typename
  ... on DeleteWebhookSubscriptionPayload { deletedSubscriptionId } ... on NotFoundError { entity } } }`;
const DELIVERIES = `query($filter: WebhookDeliveryFilter, $first: Int) { webhookDeliveries(filter: $filter, first: $first) {
  edges { node { id eventId eventType payload status attempts nextAttemptAt deliveredAt lead { id } subscription { id }
    attemptLog { attemptedAt statusCode error durationMs } } } } }`;
const RETRY = `mutation($id: ID!) { retryWebhookDelivery(input: { deliveryId: $id }) { __typename
  ... on WebhookDeliveryPayload { delivery { status attempts nextAttemptAt } } ... on Error { code message } } }`;
const MOVE = `mutation($input: ChangeLeadStageInput!) { changeLeadStage(input: $input) { __typename ... on ValidationError { problems { field message } } } }`;

async function subscribe(url: string, eventTypes: string[], extra: Record<string, unknown> = {}) {
  const data = await gqlOk(CREATE, { input: { url, eventTypes, ...extra } });
  expect(data.createWebhookSubscription.__typename).toBe('CreateWebhookSubscriptionPayload');
  const { subscription, secret } = data.createWebhookSubscription;
  return { id: subscription.id as string, rawId: rawId(subscription.id), secret: secret as string };
}

const count = async (query: ReturnType<typeof sql>) => (await rows<{ n: number }>(database.db, query))[0]!.n;
const subscriptionRows = () => count(sql`select count(*)::int as n from webhook_subscriptions`);
const pendingFor = (subscriptionId: string) =>
  count(sql`select count(*)::int as n from webhook_deliveries where subscription_id = ${subscriptionId}::uuid and status = 'pending'`);
const undispatched = () => count(sql`select count(*)::int as n from outbox_events where dispatched_at is null`);

/** Runs dispatch rounds until the outbox is fanned out and the subscriptions have nothing pending. */
async function drain(dispatcher: WebhookDispatcher, subscriptionIds: string[], maxRounds = 300) {
  for (let round = 0; round < maxRounds; round++) {
    await dispatcher.runOnce();
    const pending = await Promise.all(subscriptionIds.map(pendingFor));
    if ((await undispatched()) === 0 && pending.every((n) => n === 0)) return;
    await sleep(5);
  }
  throw new Error('deliveries still pending after the maximum number of rounds');
}

beforeAll(async () => {
  database = await openTestDatabase();
  fx = await buildFixture(database.db, 2, { agreementStatus: 'archived' });
  server = await startTestServer(database);
  const created = await gqlOk(
    `mutation($input: CreateSlaAgreementInput!) { createSlaAgreement(input: $input) { ... on SlaAgreementPayload { revision { id } } } }`,
    { input: { name: 'Webhook SLA', rules: handRules() } },
  );
  await gqlOk(`mutation($id: ID!) { activateAgreementRevision(input: { revisionId: $id, rescore: NONE }) { __typename } }`, {
    id: created.createSlaAgreement.revision.id,
  });
  for (const name of ['ann', 'bob', 'cat', 'dan']) {
    const data = await gqlOk(
      `mutation($input: CreateLeadInput!) { createLead(input: $input) { ... on LeadPayload { lead { id stage } } } }`,
      { input: { email: `${name}@webhooks.test`, source: 'events', companyName: 'Hooks Inc' } },
      fx.keys.marketing,
    );
    expect(data.createLead.lead.stage).toBe('LEAD');
    leadIds[name] = data.createLead.lead.id;
  }
  // Whatever the set-up wrote to the outbox goes nowhere: no subscription exists yet.
  await fanOutEvents(database.db, 10_000);
});
afterAll(async () => {
  await server?.stop();
  await database?.dispose();
});

describe('webhook subscriptions', () => {
  it('creates, lists, updates and deletes subscriptions; refusals write nothing; the secret is shown once', async () => {
    const first = await gqlOk(CREATE, { input: { url: 'https://hooks.example.com/sla', eventTypes: ['lead.mql', 'sla.breached', 'lead.mql'] } });
    expect(first.createWebhookSubscription).toMatchObject({
      __typename: 'CreateWebhookSubscriptionPayload',
      subscription: { url: 'https://hooks.example.com/sla', eventTypes: ['lead.mql', 'sla.breached'], active: true },
    });
    expect(first.createWebhookSubscription.secret).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes, base64url
    const second = await gqlOk(CREATE, { input: { url: 'http://127.0.0.1:9/in', eventTypes: ['*'], secret: 'my-own-secret-0123456789', active: false } });
    expect(second.createWebhookSubscription).toMatchObject({ secret: 'my-own-secret-0123456789', subscription: { active: false } });
    const [stored] = await rows<{ secret: string }>(database.db, sql`select secret from webhook_subscriptions where id = ${rawId(first.createWebhookSubscription.subscription.id)}::uuid`);
    expect(stored!.secret).toBe(first.createWebhookSubscription.secret);

    const before = await subscriptionRows();
    const refusals: [Record<string, unknown>, string[]][] = [
      [{ url: 'ftp://hooks.example.com/x', eventTypes: ['lead.mql', 'lead.nope'] }, ['input.eventTypes[1]', 'input.url']],
      [{ url: 'not a url', eventTypes: [] }, ['input.eventTypes', 'input.url']],
      [{ url: '/relative/path', eventTypes: ['webhook.test'] }, ['input.eventTypes[0]', 'input.url']],
      [{ url: 'https://ok.example.com', eventTypes: ['lead.mql'], secret: 'short' }, ['input.secret']],
    ];
    for (const [input, fields] of refusals) {
      const refused = await gqlOk(CREATE, { input });
      expect(refused.createWebhookSubscription.__typename).toBe('ValidationError');
      expect(refused.createWebhookSubscription.problems.map((p: { field: string }) => p.field).sort()).toEqual(fields);
    }
    expect(refused(await gqlOk(CREATE, { input: { url: 'https://ok.example.com', eventTypes: ['lead.unknown'] } }))).toContain('unknown event type "lead.unknown"');
    expect(await subscriptionRows()).toBe(before);

    // Only admins, and no field ever reads the secret.
    const forbidden = await server.gql(CREATE, { input: { url: 'https://x.example.com', eventTypes: ['*'] } }, fx.keys.marketing);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const listForbidden = await server.gql(`{ webhookSubscriptions { edges { node { id } } } }`, {}, fx.keys.marketing);
    expect(listForbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await subscriptionRows()).toBe(before);
    const noSecret = await server.gql(`{ webhookSubscriptions { edges { node { secret } } } }`, {}, fx.keys.admin);
    expect(noSecret.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    const list = await gqlOk(`{ webhookSubscriptions(first: 10) { edges { node { id url active } } } webhookEventTypes { name description } }`, {});
    expect(list.webhookSubscriptions.edges.map((e: { node: { url: string } }) => e.node.url)).toEqual(['http://127.0.0.1:9/in', 'https://hooks.example.com/sla']);
    expect(list.webhookEventTypes.map((t: { name: string }) => t.name)).toEqual(WEBHOOK_EVENT_TYPES);
    expect(WEBHOOK_EVENT_TYPES).toEqual(expect.arrayContaining([
      'lead.mql', 'lead.handed_off', 'lead.accepted', 'lead.rejected', 'lead.recycled', 'lead.disqualified', 'lead.stage_changed', 'sla.breached', 'nurture.step_due',
    ]));
    const page = await gqlOk(`{ webhookSubscriptions(first: 1) { edges { cursor node { url } } pageInfo { hasNextPage endCursor } } }`, {});
    expect(page.webhookSubscriptions.pageInfo.hasNextPage).toBe(true);
    const next = await gqlOk(`query($after: String) { webhookSubscriptions(first: 1, after: $after) { edges { node { url } } pageInfo { hasNextPage } } }`, {
      after: page.webhookSubscriptions.pageInfo.endCursor,
    });
    expect(next.webhookSubscriptions).toEqual({ edges: [{ node: { url: 'https://hooks.example.com/sla' } }], pageInfo: { hasNextPage: false } });

    const id = first.createWebhookSubscription.subscription.id;
    const paused = await gqlOk(UPDATE, { input: { subscriptionId: id, active: false, eventTypes: ['*'] } });
    expect(paused.updateWebhookSubscription).toMatchObject({ subscription: { id, active: false, eventTypes: ['*'], url: 'https://hooks.example.com/sla' } });
    const badUpdate = await gqlOk(UPDATE, { input: { subscriptionId: id, url: 'mailto:someone@example.com', active: true } });
    expect(badUpdate.updateWebhookSubscription.problems).toEqual([{ field: 'input.url', message: 'must be an absolute https:// URL' }]);
    const unchanged = await gqlOk(`query($id: ID!) { node(id: $id) { ... on WebhookSubscription { url active } } }`, { id });
    expect(unchanged.node).toEqual({ url: 'https://hooks.example.com/sla', active: false });

    for (const created of [first, second]) {
      const subscriptionId = created.createWebhookSubscription.subscription.id;
      expect((await gqlOk(DELETE, { id: subscriptionId })).deleteWebhookSubscription).toEqual({
        __typename: 'DeleteWebhookSubscriptionPayload',
        deletedSubscriptionId: subscriptionId,
      });
    }
    expect((await gqlOk(DELETE, { id })).deleteWebhookSubscription).toEqual({ __typename: 'NotFoundError', entity: 'WebhookSubscription' });
    expect((await gqlOk(UPDATE, { input: { subscriptionId: id, active: true } })).updateWebhookSubscription.__typename).toBe('NotFoundError');
    expect(await subscriptionRows()).toBe(before - 2);
  });
});

function refused(data: Record<string, any>): string {
  return data.createWebhookSubscription.problems.map((p: { message: string }) => p.message).join('; ');
}

describe('webhook delivery', () => {
  it('delivers an event written by a real mutation, signed, only to subscriptions listening to its type', async () => {
    const listening = await startReceiver(() => 204);
    const other = await startReceiver(() => 200);
    const paused = await startReceiver(() => 200);
    const target = await subscribe(listening.url, ['lead.disqualified', 'lead.recycled']);
    const otherTypes = await subscribe(other.url, ['lead.mql', 'lead.accepted']);
    const pausedAll = await subscribe(paused.url, ['*'], { active: false });
    const dispatcher = new WebhookDispatcher(database.db, fast);
    try {
      const moved = await gqlOk(MOVE, { input: { leadId: leadIds.ann, toStage: 'DISQUALIFIED', reasonCode: 'not_a_fit', reason: 'student' } });
      expect(moved.changeLeadStage.__typename).toBe('LeadPayload');
      // The mutation wrote the event in its own transaction.
      const [event] = await rows<{ id: string; event_type: string; dispatched_at: string | null }>(
        database.db,
        sql`select id::text, event_type, dispatched_at from outbox_events where lead_id = ${rawId(leadIds.ann!)}::uuid order by id desc limit 1`,
      );
      expect(event).toMatchObject({ event_type: 'lead.disqualified', dispatched_at: null });

      const round = await dispatcher.runOnce();
      expect(round).toMatchObject({ events: 1, deliveriesCreated: 1, attempted: 1, delivered: 1 });

      expect(listening.log).toHaveLength(1);
      const [request] = listening.log;
      const body = JSON.parse(request!.body);
      expect(body).toEqual({
        id: event!.id,
        type: 'lead.disqualified',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        data: expect.objectContaining({ leadId: rawId(leadIds.ann!), fromStage: 'lead', toStage: 'disqualified', reasonCode: 'not_a_fit' }),
      });
      expect(request!.headers).toMatchObject({
        'content-type': 'application/json',
        'x-sla-event-id': event!.id,
        'x-sla-event-type': 'lead.disqualified',
      });
      // The receiver's check, done by hand: v1 = HMAC-SHA256(secret, "<t>.<raw body>").
      const signature = String(request!.headers['x-sla-signature']);
      const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature);
      expect(match).not.toBeNull();
      expect(match![1]).toBe(request!.headers['x-sla-timestamp']);
      expect(Math.abs(Number(match![1]) - Date.now() / 1000)).toBeLessThan(60);
      expect(match![2]).toBe(createHmac('sha256', target.secret).update(`${match![1]}.${request!.body}`).digest('hex'));
      expect(verifySignature(target.secret, signature, request!.body)).toBe(true);
      expect(verifySignature('another-secret-entirely', signature, request!.body)).toBe(false);
      expect(verifySignature(target.secret, signature, request!.body.replace('not_a_fit', 'bad_data'))).toBe(false);

      // Not listening to the type, or paused: nothing queued, nothing sent.
      expect(other.log).toHaveLength(0);
      expect(paused.log).toHaveLength(0);
      expect(await count(sql`select count(*)::int as n from webhook_deliveries where subscription_id in (${otherTypes.rawId}::uuid, ${pausedAll.rawId}::uuid)`)).toBe(0);

      const listed = await gqlOk(DELIVERIES, { filter: { subscriptionId: target.id } });
      expect(listed.webhookDeliveries.edges).toHaveLength(1);
      expect(listed.webhookDeliveries.edges[0].node).toMatchObject({
        eventId: event!.id,
        eventType: 'lead.disqualified',
        status: 'DELIVERED',
        attempts: 1,
        nextAttemptAt: null,
        lead: { id: leadIds.ann },
        subscription: { id: target.id },
        attemptLog: [{ statusCode: 204, error: null }],
      });
      expect(listed.webhookDeliveries.edges[0].node.deliveredAt).not.toBeNull();
      const byType = await gqlOk(DELIVERIES, { filter: { eventType: 'lead.mql', subscriptionId: target.id } });
      expect(byType.webhookDeliveries.edges).toHaveLength(0);
    } finally {
      await dispatcher.stop();
      for (const s of [target, otherTypes, pausedAll]) await gqlOk(DELETE, { id: s.id });
      await Promise.all([listening.close(), other.close(), paused.close()]);
    }
  });

  it('a receiver that fails three times and then answers gets every event, each acknowledged delivery once', async () => {
    const receiver = await startReceiver(failingFirst(3));
    const subscription = await subscribe(receiver.url, ['*']);
    const dispatcher = new WebhookDispatcher(database.db, fast);
    try {
      // Two events from real mutations, three from emitEvent in one transaction (as other services write them).
      for (const name of ['bob', 'cat']) {
        const moved = await gqlOk(MOVE, { input: { leadId: leadIds[name], toStage: 'DISQUALIFIED', reasonCode: 'not_a_fit' } });
        expect(moved.changeLeadStage.__typename).toBe('LeadPayload');
      }
      const emitted = await database.db.transaction(async (tx) => [
        await emitEvent(tx, 'sla.breached', rawId(leadIds.dan!), { clock: 'acceptance', dueAt: new Date().toISOString() }),
        await emitEvent(tx, 'nurture.step_due', rawId(leadIds.dan!), { workflow: 'reengage', step: 1 }),
        await emitEvent(tx, 'lead.handed_off', rawId(leadIds.dan!), { ownerId: fx.userIds.salesA }),
      ]);
      const events = await rows<{ id: string; event_type: string }>(database.db, sql`select id::text, event_type from outbox_events where dispatched_at is null order by id`);
      expect(events.map((e) => e.event_type)).toEqual(['lead.disqualified', 'lead.disqualified', 'sla.breached', 'nurture.step_due', 'lead.handed_off']);
      expect(events.slice(2).map((e) => Number(e.id))).toEqual(emitted);

      dispatcher.start(5);
      for (let i = 0; i < 400 && (await count(sql`select count(*)::int as n from webhook_deliveries where subscription_id = ${subscription.rawId}::uuid and status = 'delivered'`)) < 5; i++) {
        await sleep(10);
      }
      await dispatcher.stop();

      const ids = events.map((e) => e.id);
      const acknowledged = receiver.log.filter((r) => r.status < 300).map((r) => JSON.parse(r.body).id as string);
      expect(acknowledged.sort()).toEqual([...ids].sort()); // every event, each acknowledged once
      for (const id of ids) expect(receiver.eventIds().filter((x) => x === id)).toHaveLength(4);

      const attempts = await rows<{ event_id: string; status: string; attempts: number; codes: number[] }>(
        database.db,
        sql`select d.event_id::text, d.status::text, d.attempts, array_agg(a.status_code order by a.created_at, a.id) as codes
          from webhook_deliveries d join webhook_delivery_attempts a on a.delivery_id = d.id
          where d.subscription_id = ${subscription.rawId}::uuid group by d.id order by d.event_id`,
      );
      expect(attempts).toEqual(ids.map((id) => ({ event_id: id, status: 'delivered', attempts: 4, codes: [500, 500, 500, 200] })));

      const listed = await gqlOk(DELIVERIES, { filter: { subscriptionId: subscription.id, status: 'DELIVERED' } });
      expect(listed.webhookDeliveries.edges).toHaveLength(5);
      for (const { node } of listed.webhookDeliveries.edges) {
        expect(node.attemptLog.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500, 500, 200]);
        expect(node.attemptLog[0].error).toBe('HTTP 500'); // the status, never the receiver's body
      }

      // Acknowledged deliveries are never sent again.
      const sent = receiver.log.length;
      expect(await dispatcher.runOnce()).toMatchObject({ attempted: 0 });
      expect(receiver.log).toHaveLength(sent);
    } finally {
      await dispatcher.stop();
      await gqlOk(DELETE, { id: subscription.id });
      await receiver.close();
    }
  });

  it('gives up after the maximum attempts, keeps the failure queryable, and lets an admin retry it', async () => {
    let healthy = false;
    const receiver = await startReceiver(() => (healthy ? 200 : 503));
    const subscription = await subscribe(receiver.url, ['sla.breached']);
    const dispatcher = new WebhookDispatcher(database.db, { ...fast, maxAttempts: 3 });
    try {
      await database.db.transaction((tx) => emitEvent(tx, 'sla.breached', null, { clock: 'response' }));
      await drain(dispatcher, [subscription.rawId]);
      const failed = await gqlOk(DELIVERIES, { filter: { subscriptionId: subscription.id, status: 'FAILED' } });
      expect(failed.webhookDeliveries.edges).toHaveLength(1);
      const delivery = failed.webhookDeliveries.edges[0].node;
      expect(delivery).toMatchObject({ status: 'FAILED', attempts: 3, nextAttemptAt: null, deliveredAt: null, lead: null });
      expect(delivery.attemptLog.map((a: { statusCode: number; error: string }) => [a.statusCode, a.error])).toEqual([
        [503, 'HTTP 503'],
        [503, 'HTTP 503'],
        [503, 'HTTP 503'],
      ]);
      expect(receiver.log).toHaveLength(3);
      expect(await dispatcher.runOnce()).toMatchObject({ attempted: 0 }); // dead: not attempted again

      healthy = true;
      const retried = await gqlOk(RETRY, { id: delivery.id });
      expect(retried.retryWebhookDelivery).toMatchObject({ __typename: 'WebhookDeliveryPayload', delivery: { status: 'PENDING', attempts: 0 } });
      await drain(dispatcher, [subscription.rawId]);
      const after = await gqlOk(`query($id: ID!) { node(id: $id) { ... on WebhookDelivery { status attempts attemptLog { statusCode } } } }`, { id: delivery.id });
      expect(after.node).toEqual({ status: 'DELIVERED', attempts: 1, attemptLog: [{ statusCode: 503 }, { statusCode: 503 }, { statusCode: 503 }, { statusCode: 200 }] });
      expect(receiver.log.map((r) => r.status)).toEqual([503, 503, 503, 200]);

      expect((await gqlOk(RETRY, { id: delivery.id })).retryWebhookDelivery).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
      expect((await gqlOk(RETRY, { id: encodeGlobalID('WebhookDelivery', '999999') })).retryWebhookDelivery).toMatchObject({ __typename: 'NotFoundError' });
      const forbidden = await server.gql(RETRY, { id: delivery.id }, fx.keys.salesA);
      expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    } finally {
      await dispatcher.stop();
      await gqlOk(DELETE, { id: subscription.id });
      await receiver.close();
    }
  });

  it('sendTestWebhook reaches that one subscription, even paused, and no other', async () => {
    const target = await startReceiver(() => 200);
    const bystander = await startReceiver(() => 200);
    const pausedSubscription = await subscribe(target.url, ['lead.mql'], { active: false });
    const everything = await subscribe(bystander.url, ['*']);
    const dispatcher = new WebhookDispatcher(database.db, fast);
    try {
      const sent = await gqlOk(
        `mutation($id: ID!) { sendTestWebhook(input: { subscriptionId: $id }) { __typename ... on WebhookDeliveryPayload { delivery { eventType status subscription { id } } } } }`,
        { id: pausedSubscription.id },
      );
      expect(sent.sendTestWebhook).toEqual({ __typename: 'WebhookDeliveryPayload', delivery: { eventType: 'webhook.test', status: 'PENDING', subscription: { id: pausedSubscription.id } } });
      await drain(dispatcher, [pausedSubscription.rawId, everything.rawId]);
      expect(target.log.map((r) => JSON.parse(r.body).type)).toEqual(['webhook.test']);
      expect(verifySignature(pausedSubscription.secret, String(target.log[0]!.headers['x-sla-signature']), target.log[0]!.body)).toBe(true);
      expect(bystander.log).toHaveLength(0);

      await gqlOk(DELETE, { id: everything.id });
      const gone = await gqlOk(`mutation($id: ID!) { sendTestWebhook(input: { subscriptionId: $id }) { __typename } }`, { id: everything.id });
      expect(gone.sendTestWebhook.__typename).toBe('NotFoundError');
    } finally {
      await dispatcher.stop();
      await gqlOk(DELETE, { id: pausedSubscription.id });
      await Promise.all([target.close(), bystander.close()]);
    }
  });

  it('a delivery claimed by a worker that died is attempted again once its lease ends; slow receivers time out', async () => {
    let slow = true;
    const receiver = await startReceiver(async () => {
      if (slow) await sleep(600);
      return 200;
    });
    const subscription = await subscribe(receiver.url, ['lead.rejected']);
    const dispatcher = new WebhookDispatcher(database.db, { ...fast, timeoutMs: 100, leaseMs: 400 });
    try {
      await database.db.transaction((tx) => emitEvent(tx, 'lead.rejected', null, { reasonCode: 'missing_info' }));
      await fanOutEvents(database.db, 100);
      // A worker claims the delivery, then dies before posting or recording anything.
      const claimed = await claimDueDeliveries(database.db, { limit: 100, leaseMs: 400 });
      expect(claimed.map((c) => c.subscriptionId)).toEqual([subscription.rawId]);
      expect(await dispatcher.runOnce()).toMatchObject({ attempted: 0 }); // still leased
      await sleep(450);

      // The lease ended: attempted again, and this receiver is too slow for the 100 ms timeout.
      expect(await dispatcher.runOnce()).toMatchObject({ attempted: 1, retrying: 1 });
      const [attempt] = await rows<{ status_code: number | null; error: string; duration_ms: number }>(
        database.db,
        sql`select a.status_code, a.error, a.duration_ms from webhook_delivery_attempts a join webhook_deliveries d on d.id = a.delivery_id
          where d.subscription_id = ${subscription.rawId}::uuid`,
      );
      expect(attempt).toMatchObject({ status_code: null, error: 'timed out after 100 ms' });
      expect(attempt!.duration_ms).toBeGreaterThanOrEqual(90);

      slow = false;
      await drain(dispatcher, [subscription.rawId]);
      expect(receiver.log.filter((r) => r.status === 200)).toHaveLength(1);
      const [delivery] = await rows<{ status: string; attempts: number }>(
        database.db,
        sql`select status::text, attempts from webhook_deliveries where subscription_id = ${subscription.rawId}::uuid`,
      );
      expect(delivery).toEqual({ status: 'delivered', attempts: 2 });
    } finally {
      await dispatcher.stop();
      await gqlOk(DELETE, { id: subscription.id });
      await receiver.close();
    }
  });
});

describe('back-off', () => {
  it('doubles from the base, caps, and jitters down by at most 20%', () => {
    const options = { baseMs: 10_000, maxMs: 3_600_000 };
    expect([1, 2, 3, 4, 9, 30].map((n) => backoffDelay(n, options, () => 0))).toEqual([10_000, 20_000, 40_000, 80_000, 2_560_000, 3_600_000]);
    expect(backoffDelay(3, options, () => 1)).toBe(32_000);
  });
});

// PGlite is one connection; concurrent dispatchers need real PostgreSQL connections.
describe.skipIf(!process.env.TEST_DATABASE_URL)('concurrent dispatchers on real PostgreSQL', () => {
  it('two dispatchers running at once deliver each event exactly once', async () => {
    const failOnce = failingFirst(1);
    const receiver = await startReceiver(async (request) => {
      await sleep(2);
      return failOnce(request);
    });
    const subscription = await subscribe(receiver.url, ['*']);
    const options = { ...fast, batchSize: 7, concurrency: 4 };
    const dispatchers = [new WebhookDispatcher(database.db, options), new WebhookDispatcher(database.db, options)];
    try {
      const ids: number[] = [];
      for (let batch = 0; batch < 6; batch++) {
        ids.push(
          ...(await database.db.transaction(async (tx) => {
            const written: number[] = [];
            for (let i = 0; i < 10; i++) written.push(await emitEvent(tx, 'lead.stage_changed', null, { batch, i }));
            return written;
          })),
        );
      }
      const totals = [0, 0];
      for (let round = 0; round < 300; round++) {
        const counts = await Promise.all(dispatchers.map((d) => d.runOnce()));
        counts.forEach((c, i) => (totals[i]! += c.attempted));
        if ((await undispatched()) === 0 && (await pendingFor(subscription.rawId)) === 0) break;
        await sleep(3);
      }
      expect(await pendingFor(subscription.rawId)).toBe(0);
      expect(await count(sql`select count(*)::int as n from webhook_deliveries where subscription_id = ${subscription.rawId}::uuid`)).toBe(ids.length);

      const acknowledged = receiver.log.filter((r) => r.status === 200).map((r) => Number(JSON.parse(r.body).id));
      expect(acknowledged.sort((a, b) => a - b)).toEqual(ids);
      expect(receiver.log).toHaveLength(ids.length * 2); // one failure, one success each
      expect(totals[0]! + totals[1]!).toBe(ids.length * 2);
      expect(
        await count(sql`select count(*)::int as n from webhook_delivery_attempts a join webhook_deliveries d on d.id = a.delivery_id
          where d.subscription_id = ${subscription.rawId}::uuid`),
      ).toBe(ids.length * 2);
    } finally {
      await Promise.all(dispatchers.map((d) => d.stop()));
      await gqlOk(DELETE, { id: subscription.id });
      await receiver.close();
    }
  });
});
