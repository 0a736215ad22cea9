import { marked } from 'marked';
import { kpis } from '../kpis/catalogue';
import { formatCount, formatDecimal, formatHours, formatPercent } from '../format';
import type { Cell, ColumnFormat, Notebook, Table, Tile } from '../notebooks/types';
import { reportCss } from './html-style';
import { vegaBundles } from './vega-assets';

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function formatTableValue(value: string | number | null, format: ColumnFormat): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'string') return value;
  switch (format) {
    case 'count':
      return formatCount(value);
    case 'percent':
      return formatPercent(value);
    case 'hours':
      return formatHours(value);
    case 'decimal':
      return formatDecimal(value);
    default:
      return String(value);
  }
}

function tileHtml(tile: Tile): string {
  const arrow = tile.trend === 'up' ? '▲' : tile.trend === 'down' ? '▼' : tile.trend === 'flat' ? '■' : '';
  const tone = tile.good === true ? 'good' : tile.good === false ? 'bad' : '';
  const delta = tile.deltaFormatted
    ? `<div class="delta ${tone}" title="vs ${escapeHtml(tile.previousFormatted ?? '')}">${arrow} ${escapeHtml(tile.deltaFormatted)} <span class="note">(was ${escapeHtml(tile.previousFormatted ?? '–')})</span></div>`
    : '<div class="delta">no comparison</div>';
  return `<div class="tile side-${tile.side}" data-kpi="${escapeHtml(tile.kpi)}">
  <div class="label">${escapeHtml(tile.label)}</div>
  <div class="value">${escapeHtml(tile.formatted)}</div>
  ${delta}
  ${tile.note ? `<div class="note">${escapeHtml(tile.note)}</div>` : ''}
</div>`;
}

function tableHtml(table: Table): string {
  const numeric = (format: ColumnFormat) => format !== 'text';
  const head = table.columns.map((c) => `<th class="${numeric(c.format) ? 'num' : ''}" scope="col">${escapeHtml(c.label)}</th>`).join('');
  const body = table.rows
    .map(
      (row) =>
        `<tr>${table.columns
          .map((c) => `<td class="${numeric(c.format) ? 'num' : ''}">${escapeHtml(formatTableValue(row[c.key] ?? null, c.format))}</td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table data-kpi="${escapeHtml(table.kpi)}"><caption>${escapeHtml(table.title)}</caption>
<thead><tr>${head}</tr></thead><tbody>${body || `<tr><td colspan="${table.columns.length}">No rows in the period.</td></tr>`}</tbody></table>`;
}

function cellHtml(cell: Cell, chartIndex: () => number): string {
  switch (cell.kind) {
    case 'markdown':
      // Cell markdown is written by the notebooks; text from the database in it is escaped (mdText).
      return `<section class="prose">${marked.parse(cell.markdown, { async: false })}</section>`;
    case 'tiles':
      return `<section class="tiles"><h3>${escapeHtml(cell.title)}</h3><div class="tile-grid">${cell.tiles.map(tileHtml).join('\n')}</div></section>`;
    case 'chart': {
      const index = chartIndex();
      return `<figure class="chart" id="chart-${index}" data-index="${index}" data-kpi="${escapeHtml(cell.chart.kpi)}" aria-label="${escapeHtml(cell.chart.title)}"></figure>`;
    }
    case 'table':
      return tableHtml(cell.table);
  }
}

// Draws every chart with vega-embed as SVG; a chart that fails shows its error instead of an empty box.
const bootScript = `
(function () {
  var specs = JSON.parse(document.getElementById('report-specs').textContent);
  var figures = document.querySelectorAll('figure.chart');
  var pending = [];
  figures.forEach(function (figure) {
    var spec = specs[Number(figure.dataset.index)];
    pending.push(vegaEmbed(figure, spec, { renderer: 'svg', actions: false, ast: true }).catch(function (error) {
      figure.innerHTML = '<div class="chart-error">This chart could not be drawn: ' + String(error && error.message || error).replace(/</g, '&lt;') + '</div>';
      throw error;
    }));
  });
  Promise.allSettled(pending).then(function (results) {
    document.body.dataset.chartsRendered = String(results.filter(function (r) { return r.status === 'fulfilled'; }).length);
    document.body.dataset.chartsFailed = String(results.filter(function (r) { return r.status === 'rejected'; }).length);
  });
})();`;

/** A standalone HTML file: works offline, vega, vega-lite and vega-embed inlined once. */
export function renderHtml(notebook: Notebook): string {
  let charts = 0;
  const specs = notebook.cells.flatMap((cell) => (cell.kind === 'chart' ? [cell.chart.spec] : []));
  const body = notebook.cells.map((cell) => cellHtml(cell, () => charts++)).join('\n');
  const usedKpis = [...new Set(notebook.cells.flatMap((cell) => (cell.kind === 'chart' ? [cell.chart.kpi] : cell.kind === 'table' ? [cell.table.kpi] : cell.kind === 'tiles' ? cell.tiles.map((t) => t.kpi) : [])))];
  const definitions = usedKpis
    .map((id) => `<dt>${escapeHtml(kpis[id].title)} <code>${escapeHtml(id)}</code></dt><dd>${escapeHtml(kpis[id].description)}</dd>`)
    .join('\n');
  const agreement = notebook.agreement ? ` · <strong>${escapeHtml(notebook.agreement.name)}</strong>` : ' · all agreements';
  const title = `${notebook.title} — ${notebook.period.label}`;
  // No network at all: scripts and styles are inline, images only from data: URLs.
  const csp = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="generator" content="sla-platform reports">
<title>${escapeHtml(title)}</title>
<style>${reportCss}</style>
</head>
<body>
<header><div class="wrap">
<h1>${escapeHtml(notebook.title)}: ${escapeHtml(notebook.period.label)}</h1>
<div class="meta">${escapeHtml(notebook.period.from)} to ${escapeHtml(notebook.period.to)} (UTC)${agreement} · compared with <strong>${escapeHtml(notebook.comparison.label)}</strong> · generated ${escapeHtml(notebook.generatedAt.slice(0, 16).replace('T', ' '))} UTC</div>
</div></header>
<main>
${body}
</main>
<footer><h2>How each number is counted</h2><dl>${definitions}</dl></footer>
${vegaBundles()
  .map((bundle) => `<script data-lib="${bundle.name}">${bundle.source}</script>`)
  .join('\n')}
<script type="application/json" id="report-specs">${scriptJson(specs)}</script>
<script>${bootScript}</script>
</body>
</html>
`;
}
