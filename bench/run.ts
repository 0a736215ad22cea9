// `npm run bench -- [--leads 100000] [--url postgres://…] [--duration 10] [--connections 16]`
//
// Side-by-side benchmarks on real PostgreSQL, each against a baseline measured in the same run:
// statements per leads page, leads-page throughput against one hand-written SQL statement behind the
// same HTTP stack, ingestion against plain INSERTs, the monthly-review notebook against its SQL alone
// (at 100k leads and at --leads), peak RSS, a full re-score, and chart rendering. Demo data is seeded
// once per size into `sla_bench_<leads>` and reused. Prints one table and writes it (markdown and
// JSON) to bench/results/; README.md shows the latest table between its bench markers.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { createServer } from 'node:net';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Command, InvalidArgumentError } from 'commander';
import { graphql } from 'graphql';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { openDatabase, rows, type Database } from '../db/client';
import { ensureAdminKey, authenticate } from '../domain/auth/api-keys';
import { recordActivities } from '../domain/leads/ingest';
import { continueRescore, startRescore } from '../domain/scoring/rescore';
import { activateRevision, updateDraft } from '../domain/agreements/service';
import { readDocument } from '../domain/agreements/store';
import { createContext } from '../api/context';
import { schema } from '../api/schema';
import { runNotebook } from '../reports/notebooks/runner';
import { renderSvg } from '../reports/render/svg';
import { renderPng } from '../reports/render/png';
import { LEADS_PAGE, LEADS_PAGE_BY_SCORE, LEADS_PAGE_POSTGRAPHILE, PER_LEAD_RELATIONS } from './queries';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH_KEY = 'sla_benchmark-admin-key-0000000000000000';
const COMPARISON_SIZE = 100_000;

function wholeNumber(min: number) {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) throw new InvalidArgumentError(`expected a whole number ≥ ${min}`);
    return parsed;
  };
}

const program = new Command()
  .name('npm run bench --')
  .description('Benchmarks on real PostgreSQL with generated data, each against a baseline measured in the same run.')
  .option('--leads <count>', 'size of the generated data', wholeNumber(1_000), COMPARISON_SIZE)
  .option('--url <url>', 'PostgreSQL server (databases sla_bench_<leads> are created on it)', process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres')
  .option('--duration <seconds>', 'seconds of HTTP load per side', wholeNumber(1), 10)
  .option('--connections <n>', 'concurrent HTTP connections', wholeNumber(1), 16)
  .option('--reseed', 'seed again even if the database already holds the data', false)
  .showHelpAfterError();
program.parse();
const options = program.opts<{ leads: number; url: string; duration: number; connections: number; reseed: boolean }>();

const log = (message: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);

function databaseUrl(name: string): string {
  const url = new URL(options.url);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A database `sla_bench_<leads>` holding exactly the seeded demo data of that size. */
async function seededDatabase(leads: number): Promise<string> {
  const name = `sla_bench_${leads}`;
  const admin = postgres(options.url, { max: 1, onnotice: () => {} });
  const [exists] = await admin`select 1 as one from pg_database where datname = ${name}`;
  if (!exists) await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = databaseUrl(name);
  let count = -1;
  if (exists && !options.reseed) {
    const check = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const [row] = await check`select count(*)::int as n, count(*) filter (where email like '%@bench-ingest.invalid')::int as stray from leads`;
      count = row!.stray === 0 ? (row!.n as number) : -1;
    } catch {
      count = -1;
    } finally {
      await check.end();
    }
  }
  if (count === leads) {
    log(`${name}: reusing ${leads.toLocaleString('en-US')} seeded leads`);
    return url;
  }
  log(`${name}: seeding ${leads.toLocaleString('en-US')} leads (npm run seed), this takes a while at 1M`);
  execFileSync(process.execPath, ['--import', 'tsx', 'bin/seed.ts', '--leads', String(leads), '--reset'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return url;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });
}

async function startChild(script: string, env: Record<string, string>, readyPath: string): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  // GET for the API's /readyz; POST for the baselines (PostGraphile answers a small query when its schema is built).
  const probe = (): RequestInit =>
    readyPath === '/readyz' ? { method: 'GET' } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) };
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${script} exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${base}${readyPath}`, probe());
      if (response.ok) return { child, base };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGKILL');
  throw new Error(`${script} did not become ready`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  requests: number;
}

async function load(url: string, body: string, headers: Record<string, string>): Promise<LoadResult> {
  const run = (duration: number) =>
    autocannon({ url, method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, connections: options.connections, duration });
  await run(2); // warm-up: connection pools, JIT, PostgreSQL caches
  const result = await run(options.duration);
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    requests: result.requests.total,
  };
}

interface Row {
  measure: string;
  ours: string;
  baseline: string;
  ratio: string;
  goal: string;
  met: boolean | null;
}

const fmt = (value: number, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

// ---------------------------------------------------------------------------------------------

async function statementsPerPage(database: Database): Promise<{ statements: number; auth: number; naive: number }> {
  const viewer = await authenticate(database.db, BENCH_KEY);
  const queries: string[] = [];
  const stop = database.onQuery((query) => queries.push(query));
  const result = await graphql({ schema, source: LEADS_PAGE, contextValue: createContext(database, viewer) });
  stop();
  if (result.errors?.length) throw new Error(`leads page failed: ${result.errors[0]!.message}`);
  const leads = (result.data as { leads: { edges: unknown[] } }).leads.edges.length;
  // The API key check is its own statement per request (api/context.ts), counted separately.
  return { statements: queries.length, auth: 1, naive: 1 + PER_LEAD_RELATIONS.length * leads };
}

interface PageLoads {
  api: LoadResult;
  apiByScore: LoadResult;
  postgraphile: LoadResult;
  sql: LoadResult;
  sqlByScore: LoadResult;
}

async function checkedPage(url: string, query: string, headers: Record<string, string>, count: (data: unknown) => number): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  const body = (await response.json()) as { data?: unknown; errors?: { message: string }[] };
  if (body.errors || count(body.data) !== 100) throw new Error(`leads page from ${url} is wrong: ${JSON.stringify(body.errors ?? body).slice(0, 300)}`);
}

async function leadsPageThroughput(url: string): Promise<PageLoads> {
  const api = await startChild(
    'bin/server.ts',
    {
      DATABASE_URL: url,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      SEED_ON_START: 'false',
      ADMIN_API_KEY: BENCH_KEY,
      RATE_LIMIT_PER_MINUTE: '0',
      WEBHOOKS_ENABLED: 'false',
      SCHEDULER_INTERVAL_MS: '0',
    },
    '/readyz',
  );
  const auth = { authorization: `Bearer ${BENCH_KEY}` };
  const edges = (data: unknown) => (data as { leads: { edges: unknown[] } }).leads.edges.length;
  let apiResult: LoadResult;
  let apiByScore: LoadResult;
  try {
    await checkedPage(`${api.base}/graphql`, LEADS_PAGE, auth, edges);
    await checkedPage(`${api.base}/graphql`, LEADS_PAGE_BY_SCORE, auth, edges);
    log('leads page: GraphQL API under load, newest first');
    apiResult = await load(`${api.base}/graphql`, JSON.stringify({ query: LEADS_PAGE }), auth);
    log('leads page: GraphQL API under load, by score');
    apiByScore = await load(`${api.base}/graphql`, JSON.stringify({ query: LEADS_PAGE_BY_SCORE }), auth);
  } finally {
    await stopChild(api.child);
  }
  const graphile = await startChild('bench/postgraphile-server.ts', { DATABASE_URL: url }, '/graphql');
  let postgraphileResult: LoadResult;
  try {
    await checkedPage(`${graphile.base}/graphql`, LEADS_PAGE_POSTGRAPHILE, {}, (data) => (data as { allLeads: { nodes: unknown[] } }).allLeads.nodes.length);
    log('leads page: PostGraphile 4 under load, newest first');
    postgraphileResult = await load(`${graphile.base}/graphql`, JSON.stringify({ query: LEADS_PAGE_POSTGRAPHILE }), {});
  } finally {
    await stopChild(graphile.child);
  }
  const baseline = await startChild('bench/sql-server.ts', { DATABASE_URL: url }, '/leads');
  let sqlResult: LoadResult;
  let sqlByScore: LoadResult;
  try {
    log('leads page: one hand-written SQL statement under load, newest first and by score');
    sqlResult = await load(`${baseline.base}/leads`, '{}', {});
    sqlByScore = await load(`${baseline.base}/leads?order=score`, '{}', {});
  } finally {
    await stopChild(baseline.child);
  }
  return { api: apiResult, apiByScore, postgraphile: postgraphileResult, sql: sqlResult, sqlByScore };
}

const INGEST_TYPES = ['page_view', 'pricing_page_view', 'email_open', 'email_click', 'form_submit', 'content_download', 'webinar_attendance', 'demo_request'] as const;

async function ingestion(
  database: Database,
  url: string,
): Promise<{ eventsPerSecond: number; plainPerSecond: number; events: number; transitions: number; ledger: number; handoffs: { routed: number; held: number }; statements: number[] }> {
  const batches = 20;
  const leads = 2_000;
  const runId = Date.now().toString(36);
  const now = Date.now();
  const leadFields = (i: number) => ({
    firstName: `Bench${i}`,
    lastName: 'Lead',
    title: 'Head of Operations',
    companyName: `Bench Co ${i % 300}`,
    phone: i % 8 === 0 ? null : `+1555${String(i).padStart(7, '0')}`,
    source: 'paid_search',
    attributes: { dataset: 'demo' },
  });
  const makeBatch = (b: number) =>
    Array.from({ length: 1_000 }, (_, i) => {
      const n = b * 1_000 + i;
      return {
        clientEventId: `bench-${runId}-${n}`,
        type: INGEST_TYPES[(n * 7 + b) % INGEST_TYPES.length]!,
        occurredAt: new Date(now - ((n * 9_973) % (14 * 86_400_000))),
        email: `lead-${(n * 31) % leads}@bench-ingest.invalid`,
        properties: { url: `/bench/${n % 50}` },
        // Created leads fall under the demo agreement's scope; one in eight lacks a phone, so its
        // hand-off is held for missing information, as real imports are.
        lead: leadFields((n * 31) % leads),
      };
    });
  const all = Array.from({ length: batches }, (_, b) => makeBatch(b));
  // Three more batches, counted statement by statement: one creating 1,000 leads, two on known leads.
  const makeStatementBatches = () =>
    [0, 1, 2].map((b) =>
      makeBatch(batches + b).map((e, i) => ({ ...e, clientEventId: `${e.clientEventId}-count`, email: b === 0 ? `new-${i}@bench-ingest.invalid` : e.email, lead: b === 0 ? leadFields(i) : e.lead })),
    );
  const [before] = await rows<{ t: number }>(database.db, sql`select count(*)::int as t from stage_transitions`);
  let started = performance.now();
  // Statements per batch are counted in a separate pass over the first batches (a listener costs time).
  const statements: number[] = [];
  const handoffs = { routed: 0, held: 0 };
  for (const events of all) {
    const result = await recordActivities(database.db, events);
    for (const h of result.handoffs) handoffs[h.status === 'routed' ? 'routed' : 'held'] += 1;
  }
  const apiMs = performance.now() - started;
  for (const [b, events] of makeStatementBatches().entries()) {
    let count = 0;
    const stop = database.onQuery(() => (count += 1));
    await recordActivities(database.db, events);
    stop();
    statements[b] = count;
  }
  const [after] = await rows<{ t: number; ledger: number }>(
    database.db,
    sql`select (select count(*)::int from stage_transitions) as t,
               (select count(*)::int from score_ledger s join leads l on l.id = s.lead_id where l.email like '%@bench-ingest.invalid') as ledger`,
  );

  // Baseline: the same rows, as plain multi-row INSERTs of 1,000 into activities.
  const leadIds = new Map(
    (await rows<{ id: string; email: string }>(database.db, sql`select id, email from leads where email like '%@bench-ingest.invalid'`)).map((r) => [r.email, r.id]),
  );
  const pg = postgres(url, { max: 1, onnotice: () => {} });
  started = performance.now();
  for (const events of all) {
    const values = events.map((e) => ({
      lead_id: leadIds.get(e.email)!,
      type: e.type,
      occurred_at: e.occurredAt,
      properties: e.properties,
      client_event_id: `plain-${e.clientEventId}`,
    }));
    await pg`insert into activities ${pg(values, 'lead_id', 'type', 'occurred_at', 'properties', 'client_event_id')}`;
  }
  const plainMs = performance.now() - started;
  await pg.end();

  // Leave the seeded data as it was: the bench leads, their rows (cascade) and their events go.
  await database.db.execute(sql`delete from outbox_events where lead_id in (select id from leads where email like '%@bench-ingest.invalid')`);
  await database.db.execute(sql`delete from leads where email like '%@bench-ingest.invalid'`);
  const events = batches * 1_000;
  return {
    eventsPerSecond: events / (apiMs / 1000),
    plainPerSecond: events / (plainMs / 1000),
    events,
    transitions: after!.t - before!.t,
    ledger: after!.ledger,
    handoffs,
    statements,
  };
}

interface NotebookMeasure {
  sqlMs: number;
  notebookMs: number;
  statements: number;
  maxRssMb: number;
}

function notebook(url: string): NotebookMeasure {
  const output = execFileSync(process.execPath, ['--import', 'tsx', 'bench/notebook-child.ts', url, '2'], {
    cwd: root,
    env: process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  }).toString();
  return JSON.parse(output.trim().split('\n').pop()!) as NotebookMeasure;
}

async function rescoreRun(database: Database, agreementId: string, revisionId: string): Promise<{ seconds: number; leads: number }> {
  const started = performance.now();
  const run = await startRescore(database.db, { agreementId, revisionId, requalify: false });
  const finished = await continueRescore(database.db, run.id);
  if (finished.status !== 'completed') throw new Error(`re-score ended ${finished.status}: ${finished.error ?? ''}`);
  return { seconds: (performance.now() - started) / 1000, leads: finished.totalLeads };
}

/**
 * Two re-scores of every lead: after a one-rule change (a new revision where one interest rule gives
 * one point more or less than before, activated as an admin would), then again under the same
 * revision (nothing changed: decayed interest and temperatures refreshed).
 */
async function rescore(database: Database): Promise<{ changed: { seconds: number; leads: number; rule: string }; noop: { seconds: number; leads: number } }> {
  const [agreement] = await rows<{ id: string; active_revision_id: string }>(database.db, sql`select id, active_revision_id from sla_agreements where status = 'active' order by created_at limit 1`);
  if (!agreement) throw new Error('no active agreement to re-score');
  const [admin] = await rows<{ id: string }>(database.db, sql`select id from users where role = 'admin' and active order by created_at limit 1`);
  const doc = await readDocument(database.db, agreement.active_revision_id);
  const target = doc.scoring.rules.find((r) => r.dimension === 'interest' && r.activityType === 'email_click') ?? doc.scoring.rules.find((r) => r.dimension === 'interest');
  if (!target) throw new Error('the agreement has no interest rule to change');
  const points = target.points % 2 === 0 ? target.points + 1 : target.points - 1;
  const scoring = { ...doc.scoring, rules: doc.scoring.rules.map((r) => (r.key === target.key ? { ...r, points } : r)) };
  const { revision } = await updateDraft(database.db, { userId: admin!.id }, agreement.id, { scoring });
  await activateRevision(database.db, { userId: admin!.id }, revision.id);
  const changed = await rescoreRun(database, agreement.id, revision.id);
  const noop = await rescoreRun(database, agreement.id, revision.id);
  return { changed: { ...changed, rule: `${target.key}: ${target.points} → ${points} points` }, noop };
}

async function charts(database: Database): Promise<{ svg: number[]; png: number[]; count: number }> {
  const report = await runNotebook(database.db, { notebook: 'monthly-review' });
  const specs = report.cells.flatMap((cell) => (cell.kind === 'chart' ? [cell.chart.spec] : []));
  const svg: number[] = [];
  const png: number[] = [];
  for (const spec of specs) await renderSvg(spec); // warm-up
  for (let round = 0; round < 10; round += 1) {
    for (const spec of specs) {
      let started = performance.now();
      const drawn = await renderSvg(spec);
      svg.push(performance.now() - started);
      started = performance.now();
      renderPng(drawn);
      png.push(performance.now() - started);
    }
  }
  return { svg, png, count: specs.length };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  const sizes = options.leads > COMPARISON_SIZE ? [COMPARISON_SIZE, options.leads] : [options.leads];
  const urls = new Map<number, string>();
  for (const size of sizes) urls.set(size, await seededDatabase(size));
  const url = urls.get(options.leads)!;
  const database = openDatabase({ url, maxConnections: 10, statementTimeoutMs: 0 });
  await database.migrate();
  // Data seeded before the latest migration keeps old planner statistics until the next ANALYZE.
  await database.db.execute(sql`analyze activities, score_ledger, stage_transitions, contact_attempts`);
  await ensureAdminKey(database.db, BENCH_KEY);
  const [{ version }] = (await rows<{ version: string }>(database.db, sql`select current_setting('server_version') as version`)) as [{ version: string }];
  const [counts] = await rows<{ leads: number; activities: number }>(database.db, sql`select (select count(*)::int from leads) as leads, (select count(*)::int from activities) as activities`);

  const table: Row[] = [];
  log('statements per leads page');
  const statements = await statementsPerPage(database);
  table.push({
    measure: 'SQL statements, leads page (100 leads + account, owner, ledger, transitions, attempts)',
    ours: `${statements.statements} (+${statements.auth} API-key check)`,
    baseline: `${statements.naive} (naive: 1 + 5 per lead)`,
    ratio: `${(statements.statements / statements.naive).toFixed(3)}×`,
    goal: '≤ 6',
    met: statements.statements <= 6,
  });

  const page = await leadsPageThroughput(url);
  const clean = (r: LoadResult) => r.non2xx === 0 && r.errors === 0;
  for (const [label, ours, sqlSide] of [
    ['newest first', page.api, page.sql],
    ['by score', page.apiByScore, page.sqlByScore],
  ] as const) {
    const ratio = ours.requestsPerSecond / sqlSide.requestsPerSecond;
    table.push({
      measure: `leads page requests/s, ${label} (${options.connections} connections, ${options.duration} s)`,
      ours: fmt(ours.requestsPerSecond, 1),
      baseline: `${fmt(sqlSide.requestsPerSecond, 1)} (one SQL statement, same HTTP stack)`,
      ratio: `${ratio.toFixed(2)}×`,
      goal: '≥ 0.5×',
      met: ratio >= 0.5 && clean(ours),
    });
    table.push({
      measure: `leads page latency p50 / p99, ${label}${clean(ours) ? '' : ` (${ours.errors} errors, ${ours.non2xx} non-2xx)`}`,
      ours: `${ours.p50} / ${ours.p99} ms`,
      baseline: `${sqlSide.p50} / ${sqlSide.p99} ms`,
      ratio: `${(ours.p99 / Math.max(1, sqlSide.p99)).toFixed(2)}× (p99)`,
      goal: 'p99 ≤ 300 ms',
      met: ours.p99 <= 300 && clean(ours),
    });
  }
  const graphileRatio = page.api.requestsPerSecond / page.postgraphile.requestsPerSecond;
  table.push({
    measure: `leads page requests/s against PostGraphile 4.14.1 on the same tables, newest first (its p50 / p99 ${page.postgraphile.p50} / ${page.postgraphile.p99} ms)`,
    ours: fmt(page.api.requestsPerSecond, 1),
    baseline: `${fmt(page.postgraphile.requestsPerSecond, 1)} (PostGraphile, same HTTP load)`,
    ratio: `${graphileRatio.toFixed(2)}×`,
    goal: '≥ 1.5×',
    met: graphileRatio >= 1.5 && clean(page.api) && clean(page.postgraphile),
  });

  log('ingestion: 20 batches of 1,000 events, then the same rows as plain INSERTs');
  const ingest = await ingestion(database, url);
  const ingestRatio = ingest.eventsPerSecond / ingest.plainPerSecond;
  table.push({
    measure: `ingest events/s, batches of 1,000 with scoring, transitions and hand-offs (${ingest.events.toLocaleString('en-US')} events → ${ingest.ledger.toLocaleString('en-US')} ledger rows, ${ingest.transitions} transitions, ${ingest.handoffs.routed} hand-offs routed, ${ingest.handoffs.held} held)`,
    ours: fmt(ingest.eventsPerSecond),
    baseline: `${fmt(ingest.plainPerSecond)} (plain INSERT of the same rows)`,
    ratio: `${ingestRatio.toFixed(2)}×`,
    goal: '≥ 0.3×',
    met: ingestRatio >= 0.3,
  });
  const most = Math.max(...ingest.statements);
  table.push({
    measure: 'SQL statements per ingest batch of 1,000 (a batch creating 1,000 leads / two on known leads)',
    ours: ingest.statements.join(' / '),
    baseline: '—',
    ratio: '—',
    goal: '≤ 40',
    met: most <= 40,
  });

  const notebooks = new Map<number, NotebookMeasure>();
  for (const size of sizes) {
    log(`monthly-review notebook at ${size.toLocaleString('en-US')} leads (child process, 2 rounds)`);
    const measure = notebook(urls.get(size)!);
    notebooks.set(size, measure);
    const ratio = measure.notebookMs / measure.sqlMs;
    table.push({
      measure: `monthly-review notebook at ${size.toLocaleString('en-US')} leads (${measure.statements} KPI statements)`,
      ours: `${fmt(measure.notebookMs)} ms`,
      baseline: `${fmt(measure.sqlMs)} ms (its SQL alone)`,
      ratio: `${ratio.toFixed(2)}×`,
      goal: '≤ 1.3×',
      met: ratio <= 1.3,
    });
  }
  const rss = sizes.map((size) => notebooks.get(size)!.maxRssMb);
  const growth = rss[rss.length - 1]! / rss[0]!;
  table.push({
    measure: `notebook process peak RSS at ${sizes.map((s) => s.toLocaleString('en-US')).join(' / ')} leads`,
    ours: rss.map((r) => `${fmt(r)} MB`).join(' / '),
    baseline: `${fmt(rss[0]!)} MB (at ${sizes[0]!.toLocaleString('en-US')})`,
    ratio: `${growth.toFixed(2)}×`,
    goal: sizes.length > 1 ? '≤ 1.2× growth' : '— (needs --leads > 100000)',
    met: sizes.length > 1 ? growth <= 1.2 : null,
  });

  log(`re-scores of ${options.leads.toLocaleString('en-US')} leads: after a one-rule change, then with nothing changed`);
  const rescored = await rescore(database);
  const at1M = options.leads >= 1_000_000;
  table.push({
    measure: `full re-score at ${rescored.changed.leads.toLocaleString('en-US')} leads after a one-rule change (${rescored.changed.rule})`,
    ours: `${rescored.changed.seconds.toFixed(1)} s`,
    baseline: '—',
    ratio: `${fmt(rescored.changed.leads / rescored.changed.seconds)} leads/s`,
    goal: at1M ? '≤ 60 s' : '≤ 60 s at 1M',
    met: at1M ? rescored.changed.seconds <= 60 : null,
  });
  table.push({
    measure: `re-score at ${rescored.noop.leads.toLocaleString('en-US')} leads with nothing changed (same revision)`,
    ours: `${rescored.noop.seconds.toFixed(1)} s`,
    baseline: '—',
    ratio: `${fmt(rescored.noop.leads / rescored.noop.seconds)} leads/s`,
    goal: at1M ? '≤ 10 s' : '≤ 10 s at 1M',
    met: at1M ? rescored.noop.seconds <= 10 : null,
  });

  log('chart rendering');
  const drawn = await charts(database);
  table.push({
    measure: `chart render SVG p50 / p95 (${drawn.count} monthly-review charts × 10)`,
    ours: `${percentile(drawn.svg, 50).toFixed(1)} / ${percentile(drawn.svg, 95).toFixed(1)} ms`,
    baseline: '—',
    ratio: '—',
    goal: 'p95 ≤ 15 ms',
    met: percentile(drawn.svg, 95) <= 15,
  });
  table.push({
    measure: 'chart render PNG p50 / p95 (from the SVG, resvg)',
    ours: `${percentile(drawn.png, 50).toFixed(1)} / ${percentile(drawn.png, 95).toFixed(1)} ms`,
    baseline: '—',
    ratio: '—',
    goal: 'p95 ≤ 60 ms',
    met: percentile(drawn.png, 95) <= 60,
  });
  await database.close();

  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  const when = new Date().toISOString();
  const header =
    `Benchmark ${when.slice(0, 16).replace('T', ' ')} UTC, commit ${commit}: ${counts!.leads.toLocaleString('en-US')} leads, ` +
    `${counts!.activities.toLocaleString('en-US')} activities; PostgreSQL ${version}; ${cpus().length} CPUs, ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.version}; ${Math.round((Date.now() - started) / 1000)} s in all.`;
  const markdown = [
    header,
    '',
    '| measure | this code | baseline (same run) | ratio | goal | met |',
    '|---|---|---|---|---|---|',
    ...table.map((r) => `| ${r.measure} | ${r.ours} | ${r.baseline} | ${r.ratio} | ${r.goal} | ${r.met === null ? '—' : r.met ? 'yes' : '**missed**'} |`),
    '',
  ].join('\n');
  process.stdout.write(`\n${markdown}\n`);

  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stem = `${when.slice(0, 10)}-${options.leads}`;
  writeFileSync(join(dir, `${stem}.md`), markdown);
  writeFileSync(join(dir, `${stem}.json`), `${JSON.stringify({ when, commit, leads: options.leads, counts, version, statements, page, ingest, notebooks: Object.fromEntries(notebooks), rescored, charts: { count: drawn.count, svg: { p50: percentile(drawn.svg, 50), p95: percentile(drawn.svg, 95) }, png: { p50: percentile(drawn.png, 50), p95: percentile(drawn.png, 95) } }, table }, null, 2)}\n`);
  const readmePath = join(root, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const marked = /<!-- bench:start -->[\s\S]*<!-- bench:end -->/;
  if (marked.test(readme)) {
    writeFileSync(readmePath, readme.replace(marked, `<!-- bench:start -->\n${markdown}\n<!-- bench:end -->`));
    log('README.md: latest table updated');
  }
  log(`wrote bench/results/${stem}.md and .json`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
