import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KpiQueryError } from '../../reports/kpis/run';
import { notebooks } from '../../reports/notebooks/definitions';
import { lastFullMonth, previousPeriod, trendWindow } from '../../reports/notebooks/periods';
import { runNotebook } from '../../reports/notebooks/runner';
import { changePhrase, rateTile } from '../../reports/notebooks/tiles';
import type { Cell, Notebook, Tile } from '../../reports/notebooks/types';
import { writeReport } from '../../reports/render/files';
import { captureStatements, openTestDatabase } from '../helpers/db';
import { buildKpiFixture, type KpiFixture } from './kpi-fixture';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let fx: KpiFixture;
let review: Notebook;
let statements: string[];

const markdown = (notebook: Notebook) => notebook.cells.flatMap((cell) => (cell.kind === 'markdown' ? [cell.markdown] : [])).join('\n');
const tiles = (notebook: Notebook) => Object.fromEntries(notebook.cells.flatMap((cell: Cell) => (cell.kind === 'tiles' ? cell.tiles : [])).map((t: Tile) => [t.label, t]));

beforeAll(async () => {
  database = await openTestDatabase();
  fx = await buildKpiFixture(database.db);
  // January 2026 against December 2025, agreement A (L8 is B's and left out).
  ({ result: review, statements } = await captureStatements(database, () =>
    runNotebook(database.db, { notebook: 'monthly-review', agreementId: fx.agreementA, from: '2026-01-01', to: '2026-01-31' }, { now: new Date('2026-02-03T10:00:00Z') }),
  ));
});
afterAll(async () => {
  await database?.dispose();
});

describe('monthly review', () => {
  it('runs one SQL statement per KPI and window, plus the agreement lookup, in one snapshot without JIT', () => {
    const { current, previous, trend } = notebooks['monthly-review'].kpis;
    // Session settings (isolation level on PGlite, JIT) are not queries.
    expect(statements).toContain('set local jit = off');
    const queries = statements.filter((statement) => !/^set /i.test(statement));
    expect(queries).toHaveLength(current.length + previous.length + trend.length + 1);
  });

  it('says the numbers that matter in words', () => {
    const text = markdown(review);
    // Agreement A, January: MQLs L1–L5, L11 (6), accepted L1 L3 → 33%; December: L9 accepted → 100%.
    expect(text).toContain('Marketing delivered **6 MQLs** (December 2025: 1)');
    expect(text).toContain('MQL → SQL acceptance fell from 100% to 33% (2 of 6 accepted, 3 rejected, 1 undecided)');
    // Response within SLA: L1 L2 L3 within, L4 L5 breached → 60%; December L9 within → 100%.
    expect(text).toContain('Sales answered **60%** of hand-offs within the SLA of 4 h in business hours (3 of 5; December 2025: 100%)');
    expect(text).toContain('median first response of 2.5 h in business hours');
    // Hand-offs of agreement A: L1 L2 L3 L4 L5 L11; only L5 is neither contacted nor sent back.
    expect(text).toContain('1 of 6 hand-offs is still waiting for a first contact');
    expect(text).toContain('Cadence compliance fell from 100% to 57% (4 of 7 attempts without a cadence flag)');
    expect(text).toContain('1 deal was won for $5,000');
    // Acceptance L2 L3 L4 L5, response L4 L5: six, L5's two still open (kpi-fixture.ts).
    expect(text).toContain('6 SLA breaches were recorded in the period; 2 are still open');
    expect(text).toContain('**Q1 MQLs** (2026-01-01 to 2026-03-31): 6 of 10 (60%); 4 needed by now, so **on track**, heading for 17');
    expect(text).toContain('**January revenue** (2026-01-01 to 2026-01-31): $5,000 of $20,000 (25%); $20,000 needed by now, so **behind**');
    expect(text).toContain('the top reason was **Bad timing**');
    expect(text).toContain('Of 4 recycled leads, 1 has qualified again (25%)');
  });

  it('shows both sides’ tiles with the change against the comparison period', () => {
    const t = tiles(review);
    expect(t['MQL → SQL acceptance']).toMatchObject({ formatted: '33%', previousFormatted: '100%', trend: 'down', good: false, numerator: 2, denominator: 6 });
    expect(t['MQL → SQL acceptance']!.deltaFormatted).toBe('−66.7 pts');
    expect(t['MQLs delivered']).toMatchObject({ value: 6, previous: 1, deltaFormatted: '+5 (+500%)', good: true });
    expect(t['Response within SLA']).toMatchObject({ formatted: '60%', previousFormatted: '100%', good: false });
    expect(t['Median first response']).toMatchObject({ formatted: '2.5 h', previousFormatted: '1 h', trend: 'up', good: false });
    expect(t['Won revenue']).toMatchObject({ value: 500_000, formatted: '$5,000', previousFormatted: '$0' });
    expect(review.period).toEqual({ from: '2026-01-01', to: '2026-01-31', label: 'January 2026' });
    expect(review.comparison).toEqual({ from: '2025-12-01', to: '2025-12-31', label: 'December 2025' });
    expect(review.agreement).toEqual({ id: fx.agreementA, name: 'KPI SLA A' });
  });

  it('has charts and tables for the funnel, both sides, goals, breaches and recycle reasons', () => {
    const charts = review.cells.flatMap((cell) => (cell.kind === 'chart' ? [cell.chart.kpi] : []));
    expect(charts).toEqual(
      expect.arrayContaining(['funnel', 'conversion_trend', 'mql_acceptance', 'response_distribution', 'rep_activity', 'sla_compliance_trend', 'goal_attainment', 'sla_breaches', 'recycle_reasons']),
    );
    const reps = review.cells.find((cell) => cell.kind === 'table' && cell.table.kpi === 'rep_activity');
    expect(reps?.kind === 'table' && reps.table.rows.map((row) => [row.rep, row.attempts])).toEqual([['Ann Rep', 4], ['Bob Rep', 3]]);
  });
});

describe('every notebook', () => {
  it('runs with defaults: the last full month against the month before', async () => {
    for (const notebook of Object.keys(notebooks)) {
      const result = await runNotebook(database.db, { notebook }, { now: new Date('2026-02-10T12:00:00Z') });
      expect(result.period.label).toBe('January 2026');
      expect(result.comparison.label).toBe('December 2025');
      expect(result.cells.length).toBeGreaterThan(5);
    }
  });

  it('writes HTML, SVG, PNG, CSV and JSON files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-files-'));
    const charts = review.cells.filter((cell) => cell.kind === 'chart').length;
    const tables = review.cells.filter((cell) => cell.kind === 'table').length;
    expect((await writeReport(review, 'html', dir)).map((f) => f.path)).toEqual([join(dir, 'monthly-review_2026-01-01_2026-01-31.html')]);
    expect(await writeReport(review, 'svg', dir)).toHaveLength(charts);
    expect(await writeReport(review, 'png', dir)).toHaveLength(charts);
    expect(await writeReport(review, 'csv', dir)).toHaveLength(charts + tables);
    const json = JSON.parse(readFileSync(join(dir, (await writeReport(review, 'json', dir))[0]!.path.split('/').pop()!), 'utf8')) as Notebook;
    expect(json.cells).toHaveLength(review.cells.length);
    const folder = readdirSync(join(dir, 'monthly-review_2026-01-01_2026-01-31'));
    const repsCsv = folder.find((name) => name.endsWith('rep_activity-table.csv'))!;
    expect(readFileSync(join(dir, 'monthly-review_2026-01-01_2026-01-31', repsCsv), 'utf8')).toContain('Ann Rep,4,2,2,156,0.75,3,0.6666666666666666,2.5'); // agreement A: L8's hand-off is not Ann's here
  });
});

describe('prose', () => {
  it('names the change when rounding hides it', () => {
    const base = { label: 'x', kpi: 'mql_acceptance' as const, side: 'marketing' as const, better: 'up' as const };
    expect(changePhrase(rateTile(base, { numerator: 369, denominator: 1000, rate: 0.369 }, { numerator: 373, denominator: 1000, rate: 0.373 }))).toBe(
      'fell slightly (−0.4 pts) to 37%',
    );
    expect(changePhrase(rateTile(base, { numerator: 33, denominator: 100, rate: 0.33 }, { numerator: 41, denominator: 100, rate: 0.41 }))).toBe('fell from 41% to 33%');
    expect(changePhrase(rateTile(base, { numerator: 1, denominator: 3, rate: 1 / 3 }, { numerator: 1, denominator: 3, rate: 1 / 3 }))).toBe('held at 33%');
  });
});

describe('periods', () => {
  it('defaults and comparisons', () => {
    expect(lastFullMonth(new Date('2026-03-01T00:00:00Z'))).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(previousPeriod('2026-03-01', '2026-03-31')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(previousPeriod('2026-01-01', '2026-03-31')).toEqual({ from: '2025-10-01', to: '2025-12-31' });
    expect(previousPeriod('2026-01-10', '2026-01-16')).toEqual({ from: '2026-01-03', to: '2026-01-09' });
    expect(trendWindow('2026-01-01', '2026-01-31')).toEqual({ from: '2025-08-01', to: '2026-01-31' });
  });
});

describe('refusals', () => {
  it('names what is wrong', async () => {
    await expect(runNotebook(database.db, { notebook: 'weekly' })).rejects.toThrow(/unknown notebook "weekly"/);
    await expect(runNotebook(database.db, { notebook: 'monthly-review', from: '2026-02-01', to: '2026-01-01' })).rejects.toThrow(/after to/);
    await expect(runNotebook(database.db, { notebook: 'monthly-review', from: '2026-02-01' })).rejects.toThrow(/both from and to/);
    await expect(runNotebook(database.db, { notebook: 'monthly-review', agreementId: '00000000-0000-4000-8000-000000000000' })).rejects.toThrow(
      /SlaAgreement 00000000-0000-4000-8000-000000000000 was not found/,
    );
  });

  it('fails the whole notebook, loudly, when a KPI query fails (no empty chart)', async () => {
    await database.db.execute(sql`alter table daily_traffic rename to daily_traffic_gone`);
    try {
      const failure = runNotebook(database.db, { notebook: 'monthly-review', from: '2026-01-01', to: '2026-01-31' });
      await expect(failure).rejects.toBeInstanceOf(KpiQueryError);
      await expect(failure).rejects.toThrow(/KPI funnel failed/);
    } finally {
      await database.db.execute(sql`alter table daily_traffic_gone rename to daily_traffic`);
    }
  });
});
