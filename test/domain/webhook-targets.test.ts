import { createServer } from 'node:http';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postDelivery, type ClaimedDelivery } from '../../domain/webhooks/delivery';
import { publicAddress, resolveTarget, targetProblem, type TargetPolicy } from '../../domain/webhooks/targets';
import { openTestDatabase } from '../helpers/db';
import { buildFixture, type Fixture } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/server';

// Webhook receivers may not be internal addresses (issue 13): every spelling the issue tried, at
// creation through GraphQL and again at delivery after DNS; the attempt log keeps no body.

const strict: TargetPolicy = { allowPrivate: false, httpHosts: [] };

describe('webhook targets', () => {
  it('refuses internal targets in every spelling, credentials and plain http', () => {
    const refused = [
      'http://127.0.0.1:9/',
      'http://localhost/',
      'http://[::1]/',
      'http://0.0.0.0/',
      'http://2130706433/',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://192.168.1.1/',
      'https://127.0.0.1/',
      'https://2130706433/',
      'https://0x7f.0.0.1/',
      'https://0177.0.0.1/',
      'https://[::ffff:127.0.0.1]/',
      'https://[::ffff:a9fe:a9fe]/',
      'https://[fd00::1]/',
      'https://[fe80::1]/',
      'https://[::127.0.0.1]/',
      'https://[::a9fe:a9fe]/',
      'https://[64:ff9b::a9fe:a9fe]/',
      'https://localhost./',
      'https://foo.localhost./',
      'https://metadata.google.internal./',
      'https://224.0.0.1/',
      'https://100.64.0.1/',
      'https://172.16.5.4/',
      'https://api.localhost/',
      'https://metadata.google.internal/',
      'https://user:pass@hooks.example.com/in',
      'http://hooks.example.com/in',
      'ftp://hooks.example.com/in',
    ];
    const answers = refused.map((url) => [url, targetProblem(url, strict)]);
    expect(answers.filter(([, problem]) => problem === null)).toEqual([]);
    expect(targetProblem('https://user:pass@hooks.example.com/in', strict)).toMatch(/credentials/);
    expect(targetProblem('https://169.254.169.254/', strict)).toBe('must not point at a linkLocal address (169.254.169.254)');
    expect(targetProblem('https://hooks.example.com/in', strict)).toBeNull();
    expect(targetProblem('https://93.184.216.34/in', strict)).toBeNull();
    expect(targetProblem('http://hooks.example.com/in', { allowPrivate: false, httpHosts: ['hooks.example.com'] })).toBeNull();
    expect(publicAddress('8.8.8.8')).toBe(true);
    expect(publicAddress('::ffff:10.0.0.1')).toBe(false);
    expect(publicAddress('2606:4700:4700::1111')).toBe(true);
    expect(targetProblem('https://[2606:4700:4700::1111]/in', strict)).toBeNull();
  });

  it('refuses a name that resolves to a private address, at delivery', async () => {
    const name = hostname();
    const addresses = await lookup(name, { all: true }).catch(() => []);
    if (addresses.length === 0 || addresses.some((a) => publicAddress(a.address))) return; // this machine's name says nothing here
    await expect(resolveTarget(new URL(`https://${name}/hook`), strict)).rejects.toThrow(/resolves to a \w+ address/);
  });
});

describe('through GraphQL and the dispatcher', () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let server: TestServer;
  let fx: Fixture;
  let receiver: ReturnType<typeof createServer>;
  let port = 0;
  beforeAll(async () => {
    database = await openTestDatabase();
    fx = await buildFixture(database.db, 0, { agreementStatus: 'archived' });
    server = await startTestServer(database, { WEBHOOKS_ENABLED: 'false' });
    receiver = createServer((_req, res) => res.writeHead(500).end('INTERNAL-SECRET: db password is hunter2'));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = (receiver.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => receiver?.close(resolve));
    await server?.stop();
    await database?.dispose();
  });

  it('refuses an internal receiver when the rules are on, and stores no credentials', async () => {
    const before = process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS;
    process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS = 'false';
    try {
      for (const url of ['http://127.0.0.1:9/', 'https://2130706433/', 'https://user:pass@hooks.example.com/']) {
        const result = await server.gql(
          `mutation($url: String!) { createWebhookSubscription(input: { url: $url, eventTypes: ["*"] }) { __typename ... on ValidationError { problems { field message } } } }`,
          { url },
          fx.keys.admin,
        );
        expect(result.data?.createWebhookSubscription.__typename, url).toBe('ValidationError');
        expect(result.data?.createWebhookSubscription.problems[0].field).toBe('input.url');
      }
      const listed = await server.gql(`{ webhookSubscriptions(first: 10) { edges { node { url } } } }`, {}, fx.keys.admin);
      expect(listed.data?.webhookSubscriptions.edges).toEqual([]);
    } finally {
      process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS = before;
    }
  });

  it('refuses random internal addresses in random spellings on create and on update, changing nothing (property)', async () => {
    // Addresses drawn from every refused IPv4 range, written as dotted, decimal, hex, octal or
    // IPv4-mapped IPv6, plus IPv6 loopback / link-local / unique-local / multicast.
    let seed = 13;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const ranges: [number, number, number][] = [
      [127, 0, 8], [10, 0, 8], [172, 16, 12], [192, 168, 16], [169, 254, 16], [100, 64, 10], [0, 0, 8], [224, 0, 4], [240, 0, 4],
    ];
    const spell = (octets: number[]): string => {
      const n = ((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!;
      switch (random(5)) {
        case 0: return octets.join('.');
        case 1: return String(n);
        case 2: return `0x${n.toString(16)}`;
        case 3: return octets.map((o) => `0${o.toString(8)}`).join('.');
        default: return `[::ffff:${octets.join('.')}]`;
      }
    };
    const v6 = ['[::1]', '[fe80::1]', '[fd00::1234]', '[ff02::1]', '[::]'];
    const urls = Array.from({ length: 40 }, () => {
      const [first, second, bits] = ranges[random(ranges.length)]!;
      const octets = [first, second, 0, 0];
      for (let i = bits; i < 32; i += 1) if (random(2)) octets[i >> 3]! |= 1 << (7 - (i & 7));
      const host = random(8) === 0 ? v6[random(v6.length)]! : spell(octets);
      return `https://${host}${random(2) ? `:${1 + random(65534)}` : ''}/hook`;
    });
    const created = await server.gql(
      `mutation { createWebhookSubscription(input: { url: "https://93.184.216.34/hook", eventTypes: ["*"] }) { ... on CreateWebhookSubscriptionPayload { subscription { id url } } } }`,
      {},
      fx.keys.admin,
    );
    const subscription = created.data!.createWebhookSubscription.subscription as { id: string; url: string };
    const before = process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS;
    process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS = 'false';
    try {
      for (const url of urls) {
        const create = await server.gql(
          `mutation($url: String!) { createWebhookSubscription(input: { url: $url, eventTypes: ["*"] }) { __typename } }`,
          { url },
          fx.keys.admin,
        );
        expect(create.data?.createWebhookSubscription.__typename, url).toBe('ValidationError');
        const update = await server.gql(
          `mutation($id: ID!, $url: String!) { updateWebhookSubscription(input: { subscriptionId: $id, url: $url }) { __typename } }`,
          { id: subscription.id, url },
          fx.keys.admin,
        );
        expect(update.data?.updateWebhookSubscription.__typename, url).toBe('ValidationError');
      }
      const listed = await server.gql(`{ webhookSubscriptions(first: 10) { edges { node { id url } } } }`, {}, fx.keys.admin);
      expect(listed.data?.webhookSubscriptions.edges).toEqual([{ node: subscription }]);
    } finally {
      process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS = before;
      await server.gql(`mutation($id: ID!) { deleteWebhookSubscription(input: { subscriptionId: $id }) { __typename } }`, { id: subscription.id }, fx.keys.admin);
    }
  });

  it('checks again at delivery, and keeps the status, not the receiver’s body', async () => {
    const delivery: ClaimedDelivery = {
      id: 1, attempts: 0, lease: '', eventId: 1, eventType: 'webhook.test', payload: {}, eventCreatedAt: new Date().toISOString(),
      subscriptionId: 'x', url: `http://127.0.0.1:${port}/hook`, secret: 's'.repeat(32),
    };
    const refused = await postDelivery(delivery, { timeoutMs: 2_000, targets: strict });
    expect(refused).toMatchObject({ ok: false, statusCode: null });
    expect(refused.error).toMatch(/^target refused: /);
    const reached = await postDelivery(delivery, { timeoutMs: 2_000, targets: { allowPrivate: true, httpHosts: [] } });
    expect(reached).toMatchObject({ ok: false, statusCode: 500, error: 'HTTP 500' });
    expect(JSON.stringify(reached)).not.toContain('hunter2');
  });
});

describe('webhook secrets at rest', () => {
  it('stores them encrypted under WEBHOOK_SECRET_KEY, signs with the secret, and re-encrypts on rotation', async () => {
    const { SecretBox } = await import('../../domain/webhooks/secret-box');
    const { createSubscription, reencryptSecrets } = await import('../../domain/webhooks/subscriptions');
    const { webhookSubscriptions } = await import('../../db/schema/index');
    const { verifySignature } = await import('../../domain/webhooks/signature');
    const database = await openTestDatabase();
    try {
      const oldBox = new SecretBox('first key, at least thirty-two characters long');
      const { subscription, secret } = await createSubscription(database.db, null, { url: 'https://hooks.example.com/in', eventTypes: ['*'], secret: 'the receiver shares this secret' }, strict, oldBox);
      expect(secret).toBe('the receiver shares this secret');
      const [stored] = await database.db.select().from(webhookSubscriptions);
      expect(stored!.secret).toMatch(/^enc:v1:[0-9a-f]{8}:/);
      expect(stored!.secret).not.toContain('shares');
      expect(oldBox.open(stored!.secret)).toBe('the receiver shares this secret');
      // Rotation: the new key current, the old one previous; a restart re-encrypts.
      const newBox = new SecretBox('second key, also thirty-two characters or more', 'first key, at least thirty-two characters long');
      expect(await reencryptSecrets(database.db, newBox)).toBe(1);
      const [rotated] = await database.db.select().from(webhookSubscriptions);
      expect(rotated!.secret).not.toBe(stored!.secret);
      expect(new SecretBox('second key, also thirty-two characters or more').open(rotated!.secret)).toBe('the receiver shares this secret');
      expect(() => new SecretBox('first key, at least thirty-two characters long').open(rotated!.secret)).toThrow(/key this server does not have/);
      // The delivery is signed with the secret itself.
      const received: { signature?: string; body: string }[] = [];
      const receiver = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c)).on('end', () => {
          received.push({ signature: req.headers['x-sla-signature'] as string, body });
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      const port = (receiver.address() as { port: number }).port;
      const result = await postDelivery(
        { id: 1, attempts: 0, lease: '', eventId: 1, eventType: 'webhook.test', payload: {}, eventCreatedAt: new Date().toISOString(), subscriptionId: subscription.id, url: `http://127.0.0.1:${port}/`, secret: rotated!.secret },
        { timeoutMs: 2_000, targets: { allowPrivate: true, httpHosts: [] }, secrets: newBox },
      );
      await new Promise((resolve) => receiver.close(resolve));
      expect(result.ok).toBe(true);
      expect(verifySignature('the receiver shares this secret', received[0]!.signature, received[0]!.body)).toBe(true);
    } finally {
      await database.dispose();
    }
  });
});
