import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNotebook } from '../../reports/notebooks/runner';
import { notebookNames } from '../../reports/notebooks/types';
import { renderHtml } from '../../reports/render/html';
import { openTestDatabase } from '../helpers/db';
import { buildKpiFixture } from './kpi-fixture';

// The offline HTML report in real headless Chromium (installed by .ci/run; `apt-get install chromium`).
const CHROMIUM = '/usr/bin/chromium';

// Run in the page (strings: this project type-checks without the DOM library).
const CHARTS_DONE = 'document.body.dataset.chartsRendered !== undefined';
const INSPECT = `(() => ({
  rendered: Number(document.body.dataset.chartsRendered),
  failed: Number(document.body.dataset.chartsFailed),
  // Data marks only (bars, lines, points, rules, labels), not axes or legends.
  marks: [...document.querySelectorAll('figure.chart')].map((figure) => {
    const svg = figure.querySelector('svg');
    const marks = svg ? svg.querySelectorAll('g.mark-rect.role-mark path, g.mark-line.role-mark path, g.mark-symbol.role-mark path, g.mark-rule.role-mark line, g.mark-text.role-mark text').length : 0;
    return { kpi: figure.dataset.kpi, svg: !!svg, marks };
  }),
  title: document.querySelector('h1')?.textContent,
  tiles: document.querySelectorAll('.tile').length,
}))()`;

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let browser: Browser;
const files: Record<string, { path: string; html: string; charts: number }> = {};

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
  database = await openTestDatabase();
  const fx = await buildKpiFixture(database.db);
  const dir = mkdtempSync(join(tmpdir(), 'report-html-'));
  for (const notebook of notebookNames) {
    const result = await runNotebook(database.db, { notebook, agreementId: fx.agreementA, from: '2026-01-01', to: '2026-01-31' });
    const html = renderHtml(result);
    const path = join(dir, `${notebook}.html`);
    writeFileSync(path, html);
    files[notebook] = { path, html, charts: result.cells.filter((cell) => cell.kind === 'chart').length };
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
  await database?.dispose();
});

describe('the standalone HTML report', () => {
  it('inlines vega, vega-lite and vega-embed exactly once', () => {
    for (const { html } of Object.values(files)) {
      for (const lib of ['vega', 'vega-lite', 'vega-embed']) expect(html.split(`<script data-lib="${lib}">`)).toHaveLength(2);
      expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    }
  });

  for (const notebook of notebookNames) {
    it(`${notebook}: draws every chart as an SVG with marks, offline, without console errors`, async () => {
      const { path, charts } = files[notebook]!;
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const problems: string[] = [];
      const outside: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
        outside.push(url);
        return route.abort();
      });
      await page.goto(pathToFileURL(path).href);
      await page.waitForFunction(CHARTS_DONE, null, { timeout: 30_000 });
      const drawn = (await page.evaluate(INSPECT)) as {
        rendered: number;
        failed: number;
        marks: { kpi: string; svg: boolean; marks: number }[];
        title: string;
        tiles: number;
      };
      await page.close();
      expect(outside).toEqual([]);
      expect(problems).toEqual([]);
      expect(drawn.rendered).toBe(charts);
      expect(drawn.failed).toBe(0);
      expect(drawn.marks).toHaveLength(charts);
      for (const chart of drawn.marks) {
        expect(chart.svg, chart.kpi).toBe(true);
        expect(chart.marks, chart.kpi).toBeGreaterThan(0);
      }
      expect(drawn.title).toMatch(/January 2026/);
      expect(drawn.tiles).toBeGreaterThanOrEqual(4);
    });
  }

  it('keeps charts and tiles in print layout', async () => {
    const page = await browser.newPage();
    await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
    await page.emulateMedia({ media: 'print' });
    await page.goto(pathToFileURL(files['monthly-review']!.path).href);
    await page.waitForFunction(CHARTS_DONE, null, { timeout: 30_000 });
    const pdf = await page.pdf({ format: 'A4' });
    await page.close();
    expect(pdf.subarray(0, 4).toString('latin1')).toBe('%PDF');
    expect(pdf.length).toBeGreaterThan(50_000);
  });
});
