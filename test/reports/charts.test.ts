import { compile } from 'vega-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChart, chartKpis, type Chart } from '../../reports/charts/index';
import { reverseFunnelChart } from '../../reports/charts/goals';
import { runKpi } from '../../reports/kpis/run';
import { runNotebook } from '../../reports/notebooks/runner';
import { notebookNames } from '../../reports/notebooks/types';
import { toCsv } from '../../reports/render/csv';
import { renderPng } from '../../reports/render/png';
import { renderSvg, renderSvgUncached } from '../../reports/render/svg';
import { openTestDatabase } from '../helpers/db';
import { buildKpiFixture, type KpiFixture } from './kpi-fixture';
import { vegaLiteValidator } from './vega-schema';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let fx: KpiFixture;
const jan = { from: '2026-01-01', to: '2026-01-31' };
const validate = vegaLiteValidator();
const charts: Chart[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
  fx = await buildKpiFixture(database.db);
  for (const kpi of chartKpis) {
    const rows = await runKpi(database.db, kpi, jan);
    charts.push(buildChart(kpi, rows as never), buildChart(kpi, [] as never));
  }
  const [goal] = await runKpi(database.db, 'goal_attainment', { ...jan, agreementId: fx.agreementA });
  charts.push(reverseFunnelChart(goal!));
  for (const notebook of notebookNames) {
    const result = await runNotebook(database.db, { notebook, ...jan });
    for (const cell of result.cells) if (cell.kind === 'chart') charts.push(cell.chart);
  }
});
afterAll(async () => {
  await database?.dispose();
});

describe('chart specs', () => {
  it('every spec produced (with data, empty, in every notebook) is valid Vega-Lite', () => {
    expect(charts.length).toBeGreaterThan(2 * chartKpis.length);
    for (const chart of charts) expect(validate(chart.spec), `${chart.kpi}: ${chart.title}`).toEqual([]);
  });

  it('compile without vega-lite warnings (the browser console stays clean)', () => {
    for (const chart of charts) {
      const warnings: string[] = [];
      const logger = {
        level: () => 0,
        warn: (...args: unknown[]) => (warnings.push(args.join(' ')), logger),
        info: () => logger,
        debug: () => logger,
        error: (...args: unknown[]) => (warnings.push(args.join(' ')), logger),
      };
      compile(chart.spec, { logger: logger as never });
      expect(warnings, `${chart.kpi}: ${chart.title}`).toEqual([]);
    }
  });

  it('inline the same rows they expose as data, and share one theme', () => {
    for (const chart of charts) {
      const spec = chart.spec as { data: { values: unknown[] }; config: { font: string } };
      expect(spec.data.values).toBe(chart.data);
      expect(spec.config.font).toMatch(/DejaVu Sans/);
    }
  });

  it('are pure: the same rows give the same spec', async () => {
    const rows = await runKpi(database.db, 'funnel', jan);
    expect(JSON.stringify(buildChart('funnel', rows).spec)).toBe(JSON.stringify(buildChart('funnel', rows).spec));
  });

  it('carry the numbers a reader checks: funnel labels and the SLA line', async () => {
    const funnel = buildChart('funnel', await runKpi(database.db, 'funnel', jan));
    expect(funnel.data.map((d) => d.label)).toContain('7  ·  88% of leads');
    const response = buildChart('response_distribution', await runKpi(database.db, 'response_distribution', jan));
    expect(JSON.stringify(response.spec)).toContain('SLA 4 h');
    expect((response.spec as { title: { subtitle: string } }).title.subtitle).toMatch(/2 not contacted yet; 1 returned without contact/);
  });
});

describe('server-side rendering', () => {
  it('draws every chart as SVG with marks, and PNG from it', async () => {
    const svgTimes: number[] = [];
    const pngTimes: number[] = [];
    for (const chart of charts.filter((c) => c.data.length > 0)) {
      let started = performance.now();
      const svg = await renderSvg(chart.spec);
      svgTimes.push(performance.now() - started);
      expect(svg, chart.title).toMatch(/^<svg/);
      expect(svg, chart.title).toMatch(/class="mark-(rect|line|symbol|tick|rule)/);
      started = performance.now();
      const png = renderPng(svg);
      pngTimes.push(performance.now() - started);
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(png.readUInt32BE(16)).toBeGreaterThan(600); // width at 2×
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    console.info(`render times over ${svgTimes.length} charts: SVG median ${median(svgTimes).toFixed(1)} ms, PNG median ${median(pngTimes).toFixed(1)} ms`);
  });

  it('draws from a reused chart shape exactly what a fresh render draws, whatever came before and concurrently', async () => {
    // Each chart with rows, the same shape with no rows, and back: a reused view keeps nothing of the
    // previous render's rows, marks or scales.
    const drawable = charts.filter((c) => c.data.length > 0);
    expect(drawable.length).toBeGreaterThan(20);
    for (const chart of drawable) {
      const fresh = await renderSvgUncached(chart.spec);
      const emptied = { ...chart.spec, data: { values: [] } } as typeof chart.spec;
      expect(await renderSvg(chart.spec), chart.title).toBe(fresh);
      expect(await renderSvg(emptied), chart.title).toBe(await renderSvgUncached(emptied));
      expect(await renderSvg(chart.spec), chart.title).toBe(fresh);
    }
    const reversed = [...drawable].reverse();
    const together = await Promise.all([...drawable, ...reversed].map((chart) => renderSvg(chart.spec)));
    const expected = await Promise.all([...drawable, ...reversed].map((chart) => renderSvgUncached(chart.spec)));
    expect(together).toEqual(expected);
    // The caller's rows are never marked or changed by the renderer.
    for (const chart of drawable) for (const row of (chart.spec as { data: { values: object[] } }).data.values) expect(Object.getOwnPropertySymbols(row)).toEqual([]);
  });
});

describe('chart shapes that cannot take their rows by name', () => {
  it('draw as a fresh render does when every layer brings its own data, or the spec names datasets', async () => {
    const layered = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values: [{ x: 1 }] },
      layer: [
        { data: { values: [{ a: 1, b: 2 }, { a: 2, b: 3 }] }, mark: 'bar', encoding: { x: { field: 'a', type: 'ordinal' }, y: { field: 'b', type: 'quantitative' } } },
        { data: { values: [{ a: 1, b: 1 }] }, mark: 'point', encoding: { x: { field: 'a', type: 'ordinal' }, y: { field: 'b', type: 'quantitative' } } },
      ],
    } as never;
    expect(await renderSvg(layered)).toBe(await renderSvgUncached(layered));
    expect(await renderSvg(layered)).toBe(await renderSvgUncached(layered));
    const named = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values: [{ a: 1, b: 5 }] },
      datasets: { other: [{ a: 3, b: 4 }] },
      layer: [{ mark: 'bar', encoding: { x: { field: 'a', type: 'ordinal' }, y: { field: 'b', type: 'quantitative' } } }, { data: { name: 'other' }, mark: 'point', encoding: { x: { field: 'a', type: 'ordinal' }, y: { field: 'b', type: 'quantitative' } } }],
    } as never;
    expect(await renderSvg(named)).toBe(await renderSvgUncached(named));
  });
});

describe('PNG fonts', () => {
  it('draws text DejaVu Sans lacks (a CJK name) with every system font, as before', async () => {
    const { Resvg } = await import('@resvg/resvg-js');
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text x="5" y="25" font-family="DejaVu Sans" font-size="14">王小明 · Nguyễn</text></svg>';
    const everyFont = new Resvg(svg, { background: '#ffffff', fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' } });
    expect(renderPng(svg).equals(Buffer.from(everyFont.render().asPng()))).toBe(true);
  });

  it('draws the same picture with the fonts it loads once as with every system font', async () => {
    const { Resvg } = await import('@resvg/resvg-js');
    for (const chart of charts.filter((c) => c.data.length > 0).slice(0, 6)) {
      const svg = await renderSvg(chart.spec);
      const everyFont = new Resvg(svg, { background: '#ffffff', fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' } });
      expect(renderPng(svg).equals(Buffer.from(everyFont.render().asPng())), chart.title).toBe(true);
    }
  });
});

describe('long lists', () => {
  it('keep the 25 most active reps in the chart and say so', () => {
    const rate = { numerator: 1, denominator: 2, rate: 0.5 };
    const reps = Array.from({ length: 30 }, (_, i) => ({
      rep: `Rep ${i}`, repId: `r${i}`, attempts: 100 - i, leadsContacted: 10, attemptsPerLead: 2, p50IntervalHours: 5,
      cadenceCompliance: rate, handoffs: 4, responseWithinSla: rate, p50ResponseBusinessHours: 1,
    }));
    const chart = buildChart('rep_activity', reps);
    expect(chart.data).toHaveLength(25);
    expect((chart.spec as { title: { subtitle: string } }).title.subtitle).toContain('top 25 of 30 reps');
    expect(validate(chart.spec)).toEqual([]);
  });
});

describe('CSV', () => {
  it('quotes, escapes and defuses spreadsheet formulas', () => {
    expect(toCsv([{ a: 'x,y', b: 'say "hi"', c: '=cmd()', d: -3, e: null }])).toBe('a,b,c,d,e\r\n"x,y","say ""hi""",\'=cmd(),-3,\r\n');
  });
});
