// One notebook measurement in its own process, so that its peak RSS is the notebook's alone:
// the monthly-review notebook's KPI statements alone (same statements, same snapshot settings), then
// the whole notebook (queries, cells, HTML). Prints one JSON line.
import { openDatabase, rows } from '../db/client';
import { inReportSnapshot } from '../reports/kpis/run';
import { kpis } from '../reports/kpis/catalogue';
import { notebooks } from '../reports/notebooks/definitions';
import { resolveParams, runNotebook } from '../reports/notebooks/runner';
import { renderHtml } from '../reports/render/html';

const url = process.argv[2];
const rounds = Number(process.argv[3] ?? 2);
if (!url) throw new Error('usage: notebook-child <database url> [rounds]');
const database = openDatabase({ url, maxConnections: 2, statementTimeoutMs: 0 });
const params = { notebook: 'monthly-review' };
const resolved = resolveParams(params);
const definition = notebooks['monthly-review'];

async function sqlAlone(): Promise<{ ms: number; statements: number }> {
  const started = performance.now();
  let statements = 0;
  await inReportSnapshot(database.db, async (tx) => {
    const windows = [
      [resolved.period, definition.kpis.current],
      [resolved.comparison, definition.kpis.previous],
      [resolved.trendPeriod, definition.kpis.trend],
    ] as const;
    for (const [range, ids] of windows) {
      for (const id of ids) {
        await rows(tx, kpis[id].query({ from: range.from, to: range.to, agreementId: null } as never));
        statements += 1;
      }
    }
  });
  return { ms: performance.now() - started, statements };
}

async function wholeNotebook(): Promise<{ ms: number; htmlBytes: number }> {
  const started = performance.now();
  const notebook = await runNotebook(database.db, params);
  const html = renderHtml(notebook);
  return { ms: performance.now() - started, htmlBytes: Buffer.byteLength(html) };
}

const sqlTimes: number[] = [];
const notebookTimes: number[] = [];
let statements = 0;
let htmlBytes = 0;
for (let round = 0; round < rounds; round += 1) {
  const alone = await sqlAlone();
  sqlTimes.push(alone.ms);
  statements = alone.statements;
  const whole = await wholeNotebook();
  notebookTimes.push(whole.ms);
  htmlBytes = whole.htmlBytes;
}
await database.close();
process.stdout.write(
  `${JSON.stringify({ sqlMs: Math.min(...sqlTimes), notebookMs: Math.min(...notebookTimes), sqlTimes, notebookTimes, statements, htmlBytes, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
