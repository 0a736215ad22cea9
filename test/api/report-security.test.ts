import { request } from 'node:http';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_PATH } from '../../api/report-links';
import { apiKeys, users } from '../../db/schema/index';
import { createApiKey } from '../../domain/auth/api-keys';
import { openTestDatabase } from '../helpers/db';
import { startTestServer, type TestServer } from '../helpers/server';
import { buildKpiFixture, type KpiFixture } from '../reports/kpi-fixture';

// Issue 13: report links bound to their key and its audience, rate limits, the single-flight
// cache, timeouts, the links' origin, what a rep may chart, and cost control of heavy reads.

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let fx: KpiFixture;
let annKey: string;
let annKeyId: string;
let bobKey: string;
let viewerKey: string;
let adminKey: string;
const servers: TestServer[] = [];

async function start(env: Record<string, string> = {}) {
  const server = await startTestServer(database, { REPORT_LINK_SECRET: 'report-security-secret-0123456789abcdef', ...env });
  servers.push(server);
  return server;
}

beforeAll(async () => {
  database = await openTestDatabase();
  fx = await buildKpiFixture(database.db);
  const [viewer, admin] = await database.db
    .insert(users)
    .values([
      { email: 'bi@kpi.test', name: 'Bea BI', team: 'marketing', role: 'viewer' },
      { email: 'boss@kpi.test', name: 'Sam Boss', team: 'sales', role: 'admin' },
    ])
    .returning();
  const ann = await createApiKey(database.db, { user: { id: fx.ann }, name: 'ann' });
  annKey = ann.key;
  annKeyId = ann.id;
  bobKey = (await createApiKey(database.db, { user: { id: fx.bob }, name: 'bob' })).key;
  viewerKey = (await createApiKey(database.db, { user: { id: viewer!.id }, name: 'bi' })).key;
  adminKey = (await createApiKey(database.db, { user: { id: admin!.id }, name: 'boss' })).key;
});
afterAll(async () => {
  for (const server of servers) await server.stop();
  await database?.dispose();
});

const CREATE_LINK = `mutation($input: CreateReportLinkInput!) {
  createReportLink(input: $input) { __typename ... on CreateReportLinkPayload { url expiresAt } ... on ValidationError { message } }
}`;
const JANUARY = { notebook: 'SALES_CADENCE', from: '2026-01-01', to: '2026-01-31' };

async function link(server: TestServer, key: string, input: Record<string, unknown> = JANUARY): Promise<string> {
  const res = await server.gql(CREATE_LINK, { input }, key);
  expect(res.errors).toBeUndefined();
  return res.data!.createReportLink.url as string;
}

describe('a report link', () => {
  it('shows what its key may see: a rep its own row and the team total, a viewer every rep', async () => {
    const server = await start();
    const annPage = await fetch(await link(server, annKey));
    expect(annPage.status).toBe(200);
    const annHtml = await annPage.text();
    expect(annHtml).toContain('Ann Rep');
    expect(annHtml).toContain('All reps (team total)');
    expect(annHtml).not.toContain('Bob Rep');
    expect(annHtml).toContain('Other reps are shown only in the team total.');

    const viewerHtml = await (await fetch(await link(server, viewerKey))).text();
    expect(viewerHtml).toContain('Ann Rep');
    expect(viewerHtml).toContain('Bob Rep');
    expect(viewerHtml).not.toContain('All reps (team total)');
  });

  it('stops opening when the key that made it is revoked or expires (403), and opens again for nobody', async () => {
    const server = await start();
    const { key, id } = await createApiKey(database.db, { user: { id: fx.ann }, name: 'short-lived' });
    const url = await link(server, key);
    expect((await fetch(url)).status).toBe(200);
    await database.db.update(apiKeys).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiKeys.id, id));
    const expired = await fetch(url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toBe(
      'The API key that made this report link was revoked or has expired, so the link no longer opens. Ask for a new link (createReportLink).',
    );

    const revocable = await createApiKey(database.db, { user: { id: fx.bob }, name: 'to revoke' });
    const bobUrl = await link(server, revocable.key);
    expect((await fetch(bobUrl)).status).toBe(200);
    const revoked = await server.gql(`mutation($id: ID!) { revokeApiKey(input: { id: $id }) { __typename } }`, { id: encodeGlobalID('ApiKey', revocable.id) }, adminKey);
    expect(revoked.data).toEqual({ revokeApiKey: { __typename: 'RevokeApiKeyPayload' } });
    expect((await fetch(bobUrl)).status).toBe(403);
  });

  it('lives at most 7 days', async () => {
    const server = await start();
    const res = await server.gql(CREATE_LINK, { input: { ...JANUARY, expiresInMinutes: 7 * 24 * 60 + 1 } }, annKey);
    expect(res.data!.createReportLink).toMatchObject({ __typename: 'ValidationError' });
  });

  it('is rate-limited per link and per address, with Retry-After', async () => {
    const server = await start({ REPORT_LINK_OPENS_PER_MINUTE: '3', REPORT_LINK_OPENS_PER_ADDRESS_PER_MINUTE: '5' });
    const first = await link(server, viewerKey);
    const second = await link(server, viewerKey, { ...JANUARY, notebook: 'MARKETING_FUNNEL' });
    for (let i = 0; i < 3; i += 1) expect((await fetch(first)).status).toBe(200);
    const fourth = await fetch(first);
    expect(fourth.status).toBe(429);
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await fourth.text()).toMatch(/^Too many opens: at most 3 opens a minute of one link\. Try again in \d+ s\.$/);
    // Another link from the same address: the fifth open of this address, then the address is spent.
    expect((await fetch(second)).status).toBe(200);
    const sixth = await fetch(second);
    expect(sixth.status).toBe(429);
    expect(await sixth.text()).toMatch(/at most 5 report opens a minute from one address/);
  });

  it('does not let invalid tokens use up the opens of valid links', async () => {
    const server = await start({ REPORT_LINK_OPENS_PER_ADDRESS_PER_MINUTE: '3' });
    const url = await link(server, viewerKey);
    for (let i = 0; i < 3; i += 1) expect((await fetch(`${server.base}${REPORT_PATH}?token=garbage${i}.x`)).status).toBe(403);
    const flood = await fetch(`${server.base}${REPORT_PATH}?token=garbage.x`);
    expect(flood.status).toBe(429);
    expect(await flood.text()).toMatch(/at most 3 invalid report links a minute from one address/);
    expect((await fetch(url)).status).toBe(200);
  });

  it('computes once for many people opening it at once, and again after a write', async () => {
    const server = await start({ REPORT_CACHE_SECONDS: '60' });
    const url = await link(server, viewerKey);
    let computations = 0;
    // Each notebook computation is one read-only snapshot transaction: count its opening statement.
    const stop = database.onQuery((query) => {
      if (query.includes('set local jit = off')) computations += 1;
    });
    try {
      const pages = await Promise.all(Array.from({ length: 20 }, () => fetch(url).then(async (r) => [r.status, await r.text()] as const)));
      expect(pages.map(([status]) => status)).toEqual(Array(20).fill(200));
      expect(new Set(pages.map(([, html]) => html)).size).toBe(1);
      expect(computations).toBe(1);
      // Mutations that write nothing (a new link, an anonymous or refused call) keep the cache: no
      // one can make a link compute afresh on its maker's budget at will.
      await link(server, viewerKey, { ...JANUARY, notebook: 'MARKETING_FUNNEL' });
      const update = `mutation($id: ID!) { updateLead(input: { leadId: $id, title: "CFO" }) { __typename ... on Error { message } } }`;
      const leadId = encodeGlobalID('Lead', fx.lead.L1);
      expect((await server.gql(update, { id: leadId })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect((await server.gql(update, { id: leadId }, viewerKey)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect((await fetch(url)).status).toBe(200);
      expect(computations).toBe(1);
      // A committed write may change the figures: the next open computes afresh.
      expect((await server.gql(update, { id: leadId }, adminKey)).data).toEqual({ updateLead: { __typename: 'LeadPayload' } });
      expect((await fetch(url)).status).toBe(200);
      expect(computations).toBe(2);
    } finally {
      stop();
    }
  });

  it('answers 503 with Retry-After when the report takes longer than the request timeout, and serves it once done', async () => {
    const server = await start({ REQUEST_TIMEOUT_MS: '400', REPORT_CACHE_SECONDS: '60' });
    const url = await link(server, viewerKey, { ...JANUARY, notebook: 'MONTHLY_REVIEW' });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    // Another session holds the leads table: the notebook cannot read it until released.
    const holder = database.db.transaction(async (tx) => {
      await tx.execute(sql`lock table leads in access exclusive mode`);
      locked();
      await held;
    });
    await isLocked;
    const slow = await fetch(url);
    release();
    await holder;
    expect(slow.status).toBe(503);
    expect(slow.headers.get('retry-after')).toBe('5');
    expect(await slow.text()).toBe('The report is still being computed. Open the link again in a few seconds.');
    const again = await fetch(url);
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('Monthly SLA review: January 2026');
  });

  it('takes its origin from PUBLIC_URL, never from the Host header, and is refused in production without it', async () => {
    const server = await start({ PUBLIC_URL: 'https://sla.example.com/' });
    expect(await link(server, viewerKey)).toMatch(/^https:\/\/sla\.example\.com\/reports\/view\?token=/);

    const local = await start();
    const body = JSON.stringify({ query: CREATE_LINK, variables: { input: JANUARY } });
    const answer = await new Promise<string>((resolve, reject) => {
      const req = request(local.url, {
        method: 'POST',
        headers: { host: 'evil.example.com', 'content-type': 'application/json', authorization: `Bearer ${viewerKey}`, 'content-length': Buffer.byteLength(body) },
      }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end(body);
    });
    const url = JSON.parse(answer).data.createReportLink.url as string;
    expect(url.startsWith(`${local.base}${REPORT_PATH}?token=`)).toBe(true);
    expect(url).not.toContain('evil');

    const production = await start({ NODE_ENV: 'production' });
    const refused = await production.gql(CREATE_LINK, { input: JANUARY }, viewerKey);
    expect(refused.data?.createReportLink ?? null).toBeNull();
    expect(refused.errors?.[0]).toMatchObject({
      message: 'Report links need PUBLIC_URL (the origin people open, e.g. https://sla.example.com) to be set on the server',
      extensions: { code: 'BAD_REQUEST' },
    });
  });
});

describe('what a rep may chart', () => {
  const CHART = `query($kpi: KpiName!, $owner: ID) { kpiChart(kpi: $kpi, from: "2026-01-01", to: "2026-01-31", ownerId: $owner) { data } }`;

  it('filters on itself only; another rep is FORBIDDEN and yields no figures', async () => {
    const server = await start();
    const other = await server.gql(CHART, { kpi: 'FUNNEL', owner: encodeGlobalID('User', fx.bob) }, annKey);
    expect(other.data).toBeNull();
    expect(other.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(other.errors?.[0]?.message).toBe('a sales rep may filter reports on itself only; other reps are shown only in aggregate');
    const own = await server.gql(CHART, { kpi: 'FUNNEL', owner: encodeGlobalID('User', fx.ann) }, annKey);
    expect(own.errors).toBeUndefined();
    // A viewer may chart any rep: Bob's funnel (leads L2 L4 L11 in January... see test/reports/kpis.test.ts).
    const viewer = await server.gql(CHART, { kpi: 'FUNNEL', owner: encodeGlobalID('User', fx.bob) }, viewerKey);
    expect(viewer.errors).toBeUndefined();
  });

  it('sees per-rep rows of others only as the team total', async () => {
    const server = await start();
    const reps = await server.gql(CHART, { kpi: 'REP_ACTIVITY' }, bobKey);
    expect(reps.errors).toBeUndefined();
    expect(reps.data!.kpiChart.data.map((row: { rep: string; attempts: number }) => [row.rep, row.attempts])).toEqual([
      ['Bob Rep', 3],
      ['All reps (team total)', 7],
    ]);
    const breaches = await server.gql(CHART, { kpi: 'SLA_BREACHES' }, bobKey);
    expect(JSON.stringify(breaches.data)).not.toContain('Ann Rep');
    const notebook = await server.gql(`{ notebook(name: SALES_CADENCE, from: "2026-01-01", to: "2026-01-31") { cells { markdown table { rows } chart { data } } } }`, {}, bobKey);
    expect(notebook.errors).toBeUndefined();
    expect(JSON.stringify(notebook.data)).not.toContain('Ann Rep');
    expect(JSON.stringify(notebook.data)).toContain('All reps (team total)');
    // The sentences count the team's breaches once (4 acceptance + 2 response), not Bob's rows again.
    const prose = (nb: { data?: Record<string, any> }) => nb.data!.notebook.cells.map((cell: { markdown: string | null }) => cell.markdown ?? '').join('\n');
    const viewerNotebook = await server.gql(`{ notebook(name: SALES_CADENCE, from: "2026-01-01", to: "2026-01-31") { cells { markdown } } }`, {}, viewerKey);
    for (const text of [prose(notebook), prose(viewerNotebook)]) {
      expect(text).toContain('6 SLA breaches were recorded in the period; 2 are still open.');
      expect(text).toMatch(/6 breaches recorded: acceptance 4, response 2\./);
    }
    const admin = await server.gql(CHART, { kpi: 'REP_ACTIVITY' }, adminKey);
    expect(admin.data!.kpiChart.data.map((row: { rep: string }) => row.rep)).toEqual(['Ann Rep', 'Bob Rep']);
  });
});

describe('cost control of heavy reads', () => {
  const NOTEBOOK = `query($from: Date, $to: Date) { notebook(name: MONTHLY_REVIEW, from: $from, to: $to) { generatedAt period { label } } }`;

  it('refuses a read larger than a minute’s budget with OPERATION_LIMIT, links included', async () => {
    const server = await start({ REPORT_BUDGET_PER_MINUTE: '500' });
    const res = await server.gql(NOTEBOOK, { from: '1900-01-01', to: '2026-11-30' }, annKey);
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT', budgetPerMinute: 500 });
    expect(res.errors?.[0]?.message).toMatch(/^This monthly-review notebook \(.*\) costs \d+ units, more than the 500 a key may spend in a minute: shorten the period/);
    const linkRes = await server.gql(CREATE_LINK, { input: { notebook: 'MONTHLY_REVIEW', from: '2000-01-01', to: '2026-11-30' } }, annKey);
    expect(linkRes.errors?.[0]?.extensions?.code).toBe('OPERATION_LIMIT');
  });

  it('charges each key its budget and answers 429 with Retry-After when it is spent; other keys carry on', async () => {
    const server = await start({ REPORT_BUDGET_PER_MINUTE: '40' });
    // One KPI over 365 days: 12 units. Three fit in 40, the fourth does not.
    const chart = (year: number, key: string) =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: `{ kpiChart(kpi: FUNNEL, from: "${year}-01-01", to: "${year}-12-31") { title } }` }),
      });
    for (const year of [2023, 2024, 2025]) expect((await chart(year, annKey)).status).toBe(200);
    const spent = await chart(2026, annKey);
    expect(spent.status).toBe(429);
    const retryAfter = Number(spent.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    const body = (await spent.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(body.errors[0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: retryAfter });
    expect(body.errors[0]!.extensions).not.toHaveProperty('http');
    expect(body.errors[0]!.message).toMatch(/^This API key has spent its report budget of 40 units a minute/);
    expect((await chart(2026, bobKey)).status).toBe(200);
    const me = await server.gql(`{ me { name } }`, {}, annKey);
    expect(me.data).toEqual({ me: { name: 'Ann Rep' } });
  });

  it('keeps the rest of the API answering while 20 heavy reads are computed, queued or refused', async () => {
    const server = await start({ REPORT_CONCURRENCY: '1', REPORT_QUEUE: '2', AUTH_CACHE_SECONDS: '5' });
    const timed = async <T>(work: () => Promise<T>) => {
      const started = performance.now();
      const value = await work();
      return { value, ms: performance.now() - started };
    };
    // One notebook alone, for scale: `me` may wait for the statement computing, never for the queue.
    const alone = await timed(() => server.gql(NOTEBOOK, { from: '2025-01-01', to: '2026-01-31' }, viewerKey));
    expect(alone.value.errors).toBeUndefined();
    expect((await server.gql(`{ me { name } }`, {}, annKey)).data).toEqual({ me: { name: 'Ann Rep' } });
    const burst = Array.from({ length: 20 }, (_, i) =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${annKey}` },
        // Twenty different periods: nothing is shared between them.
        body: JSON.stringify({ query: NOTEBOOK, variables: { from: `2025-01-${String(i + 1).padStart(2, '0')}`, to: '2026-01-31' } }),
      }).then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: (await r.json()) as { data?: unknown; errors?: { extensions: { code: string } }[] } })),
    );
    const me = await timed(() => server.gql(`{ me { name } }`, {}, adminKey));
    const answers = await Promise.all(burst);
    expect(me.value.data).toEqual({ me: { name: 'Sam Boss' } });
    console.info(`me answered in ${me.ms.toFixed(0)} ms during the burst; one notebook alone took ${alone.ms.toFixed(0)} ms`);
    expect(me.ms).toBeLessThan(Math.max(1_000, 2 * alone.ms));
    for (const answer of answers) {
      if (answer.status === 200) {
        expect(answer.body.errors).toBeUndefined();
      } else {
        expect(answer.status).toBe(429);
        expect(Number(answer.retryAfter)).toBeGreaterThan(0);
        expect(answer.body.errors?.[0]?.extensions.code).toBe('RATE_LIMITED');
      }
    }
    expect(answers.some((a) => a.status === 200)).toBe(true);
    // One computing and two waiting at most: of twenty arriving together, most are refused.
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThan(0);
  });
});

it('keeps the fixture’s keys valid (sanity: annKeyId names Ann’s key)', async () => {
  const [row] = await database.db.select({ userId: apiKeys.userId }).from(apiKeys).where(eq(apiKeys.id, annKeyId));
  expect(row?.userId).toBe(fx.ann);
});
