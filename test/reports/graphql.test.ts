import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_PATH, ReportLinks } from '../../api/report-links';
import { users } from '../../db/schema/index';
import { createApiKey } from '../../domain/auth/api-keys';
import { openTestDatabase } from '../helpers/db';
import { startTestServer, type TestServer } from '../helpers/server';
import { buildKpiFixture, type KpiFixture } from './kpi-fixture';

const SECRET = 'test-report-link-secret-0123456789abcdef';
let database: Awaited<ReturnType<typeof openTestDatabase>>;
let server: TestServer;
let fx: KpiFixture;
let viewerKey: string;
let agreementGid: string;

beforeAll(async () => {
  database = await openTestDatabase();
  fx = await buildKpiFixture(database.db);
  const [viewer] = await database.db.insert(users).values({ email: 'bi@kpi.test', name: 'Bea BI', team: 'marketing', role: 'viewer' }).returning();
  viewerKey = (await createApiKey(database.db, { user: { id: viewer!.id }, name: 'bi' })).key;
  agreementGid = encodeGlobalID('SlaAgreement', fx.agreementA);
  server = await startTestServer(database, { REPORT_LINK_SECRET: SECRET });
});
afterAll(async () => {
  await server?.stop();
  await database?.dispose();
});

const NOTEBOOK = `query($agreementId: ID, $from: Date, $to: Date) {
  notebook(name: MONTHLY_REVIEW, agreementId: $agreementId, from: $from, to: $to) {
    name title period { from to label } comparisonPeriod { label } agreement { name }
    cells { kind markdown tilesTitle tiles { label formatted previousFormatted deltaFormatted trend good numerator denominator }
      chart { kpi title spec data } table { kpi title columns { key label format } rows } }
  }
}`;

describe('notebook over GraphQL', () => {
  it('returns ordered cells with Vega-Lite specs and their data to a viewer', async () => {
    const res = await server.gql(NOTEBOOK, { agreementId: agreementGid, from: '2026-01-01', to: '2026-01-31' }, viewerKey);
    expect(res.errors).toBeUndefined();
    const notebook = res.data!.notebook;
    expect(notebook).toMatchObject({ name: 'MONTHLY_REVIEW', period: { from: '2026-01-01', to: '2026-01-31', label: 'January 2026' }, comparisonPeriod: { label: 'December 2025' }, agreement: { name: 'KPI SLA A' } });
    const kinds = new Set(notebook.cells.map((cell: { kind: string }) => cell.kind));
    expect(kinds).toEqual(new Set(['MARKDOWN', 'TILES', 'CHART', 'TABLE']));
    const acceptance = notebook.cells.flatMap((cell: any) => cell.tiles ?? []).find((tile: any) => tile.label === 'MQL → SQL acceptance');
    expect(acceptance).toMatchObject({ formatted: '33%', previousFormatted: '100%', trend: 'DOWN', good: false, numerator: 2, denominator: 6 });
    const funnel = notebook.cells.find((cell: any) => cell.chart?.kpi === 'FUNNEL').chart;
    expect(funnel.spec.data.values).toEqual(funnel.data);
    expect(funnel.data.map((d: any) => d.count)).toEqual([1500, 7, 6, 2, 1, 1]);
    expect(notebook.cells[0].markdown).toContain('MQL → SQL acceptance fell from 100% to 33%');
  });

  it('refuses anonymous callers and bad input', async () => {
    const anonymous = await server.gql(NOTEBOOK, {});
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const reversed = await server.gql(NOTEBOOK, { from: '2026-02-01', to: '2026-01-01' }, viewerKey);
    expect(reversed.errors?.[0]).toMatchObject({ message: 'from: from (2026-02-01) is after to (2026-01-01)', extensions: { code: 'BAD_USER_INPUT' } });
    const unknown = await server.gql(NOTEBOOK, { agreementId: encodeGlobalID('SlaAgreement', '00000000-0000-4000-8000-000000000000') }, viewerKey);
    expect(unknown.errors?.[0]?.message).toMatch(/SlaAgreement 00000000-0000-4000-8000-000000000000 was not found/);
  });
});

describe('kpiChart and the catalogue', () => {
  it('draws one KPI with filters', async () => {
    const res = await server.gql(
      `query($owner: ID) { kpiChart(kpi: FUNNEL, from: "2026-01-01", to: "2026-01-31", source: "paid_search", ownerId: $owner) { kpi title spec data } }`,
      { owner: encodeGlobalID('User', fx.ann) },
      viewerKey,
    );
    expect(res.errors).toBeUndefined();
    // Ann's paid_search leads: L1 (MQL in January, SQL, won) and L8 (created and MQL in January).
    expect(res.data!.kpiChart.data.map((d: any) => d.count)).toEqual([1000, 1, 2, 1, 1, 1]);
    expect(res.data!.kpiChart.spec.$schema).toContain('vega-lite/v6');
  });

  it('lists every KPI with its definition', async () => {
    const res = await server.gql(`{ reportKpis { id chart title description filters } }`, {}, viewerKey);
    const response = res.data!.reportKpis.find((k: any) => k.id === 'response_time');
    expect(response).toMatchObject({ chart: null, filters: ['period', 'agreement', 'source', 'owner'] });
    expect(response.description).toMatch(/business hours/);
    expect(res.data!.reportKpis.find((k: any) => k.id === 'funnel').chart).toBe('FUNNEL');
  });
});

const CREATE_LINK = `mutation($input: CreateReportLinkInput!) {
  createReportLink(input: $input) {
    __typename
    ... on CreateReportLinkPayload { url expiresAt period { label } comparisonPeriod { label } }
    ... on ValidationError { message problems { field message } }
    ... on NotFoundError { message }
  }
}`;

describe('report links', () => {
  it('creates an expiring signed link whose page is the notebook’s HTML', async () => {
    const res = await server.gql(CREATE_LINK, { input: { notebook: 'MONTHLY_REVIEW', agreementId: agreementGid, from: '2026-01-01', to: '2026-01-31', expiresInMinutes: 30 } }, viewerKey);
    const link = res.data!.createReportLink;
    expect(link.__typename).toBe('CreateReportLinkPayload');
    expect(link.url).toMatch(new RegExp(`^${server.base}${REPORT_PATH}\\?token=[\\w-]+\\.[\\w-]+$`));
    expect(link.url).not.toContain(viewerKey);
    const minutes = (Date.parse(link.expiresAt) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(29);
    expect(minutes).toBeLessThanOrEqual(30);
    const page = await fetch(link.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('private, no-store');
    const html = await page.text();
    expect(html).toContain('<h1>Monthly SLA review: January 2026</h1>');
    expect(html).toContain('MQL → SQL acceptance fell from 100% to 33%');
  });

  it('answers 403 with a clear message to tampered and expired links', async () => {
    const res = await server.gql(CREATE_LINK, { input: { notebook: 'SALES_CADENCE', from: '2026-01-01', to: '2026-01-31' } }, viewerKey);
    const url = new URL(res.data!.createReportLink.url);
    const token = url.searchParams.get('token')!;
    const [payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const widened = Buffer.from(JSON.stringify({ ...claims, from: '2020-01-01' })).toString('base64url');
    const tampered = await fetch(`${server.base}${REPORT_PATH}?token=${widened}.${signature}`);
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toMatch(/not valid: it was changed/);

    const expired = new ReportLinks(SECRET).sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 });
    const late = await fetch(`${server.base}${REPORT_PATH}?token=${expired}`);
    expect(late.status).toBe(403);
    expect(await late.text()).toMatch(/expired at .*Ask for a new link/);

    expect((await fetch(`${server.base}${REPORT_PATH}`)).status).toBe(403);
    const otherSecret = new ReportLinks('another-secret-another-secret-another-secret').sign(claims);
    expect((await fetch(`${server.base}${REPORT_PATH}?token=${otherSecret}`)).status).toBe(403);
  });

  it('returns typed errors for bad input and unknown agreements', async () => {
    const bad = await server.gql(CREATE_LINK, { input: { notebook: 'MONTHLY_REVIEW', from: '2026-03-01', to: '2026-02-01', expiresInMinutes: 0 } }, viewerKey);
    expect(bad.data!.createReportLink.__typename).toBe('ValidationError');
    expect(bad.data!.createReportLink.problems.map((p: any) => p.field)).toEqual(['input.expiresInMinutes']);
    const reversed = await server.gql(CREATE_LINK, { input: { notebook: 'MONTHLY_REVIEW', from: '2026-03-01', to: '2026-02-01' } }, viewerKey);
    expect(reversed.data!.createReportLink.problems).toEqual([{ field: 'input.from', message: 'from (2026-03-01) is after to (2026-02-01)' }]);
    const missing = await server.gql(CREATE_LINK, { input: { notebook: 'MONTHLY_REVIEW', agreementId: encodeGlobalID('SlaAgreement', '00000000-0000-4000-8000-000000000000') } }, viewerKey);
    expect(missing.data!.createReportLink).toMatchObject({ __typename: 'NotFoundError', message: 'SlaAgreement 00000000-0000-4000-8000-000000000000 was not found' });
    const anonymous = await server.gql(CREATE_LINK, { input: { notebook: 'MONTHLY_REVIEW' } });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
