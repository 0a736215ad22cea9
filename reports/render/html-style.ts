// The report's stylesheet: readable on screen, one column, and clean on paper.
export const reportCss = `
:root { --ink:#1e293b; --muted:#64748b; --line:#e2e8f0; --bg:#f8fafc; --good:#15803d; --bad:#b91c1c;
  --marketing:#7c3aed; --sales:#0f766e; --shared:#2563eb; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font: 15px/1.55 Inter, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; }
header { background:#0f172a; color:#f8fafc; padding:28px 0 24px; }
header .wrap, main { max-width: 860px; margin: 0 auto; padding: 0 24px; }
header h1 { margin:0 0 6px; font-size:26px; font-weight:650; letter-spacing:-0.01em; }
header .meta { color:#cbd5e1; font-size:14px; }
header .meta strong { color:#fff; font-weight:600; }
main { padding-top: 8px; padding-bottom: 48px; }
h2 { font-size:19px; margin:36px 0 8px; padding-bottom:6px; border-bottom:1px solid var(--line); }
p, li { max-width: 70ch; }
.prose { margin: 12px 0; }
.tiles { margin: 18px 0; }
.tiles h3 { font-size:13px; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); margin:0 0 8px; }
.tile-grid { display:grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap:12px; }
.tile { background:#fff; border:1px solid var(--line); border-radius:10px; padding:12px 14px; border-top:3px solid var(--shared); }
.tile.side-marketing { border-top-color: var(--marketing); }
.tile.side-sales { border-top-color: var(--sales); }
.tile .label { font-size:12.5px; color:var(--muted); }
.tile .value { font-size:26px; font-weight:650; letter-spacing:-0.02em; margin:2px 0; }
.tile .delta { font-size:12.5px; font-weight:600; color:var(--muted); }
.tile .delta.good { color:var(--good); }
.tile .delta.bad { color:var(--bad); }
.tile .note { font-size:12px; color:var(--muted); }
figure.chart { background:#fff; border:1px solid var(--line); border-radius:10px; margin:16px 0; padding:8px; overflow-x:auto; }
figure.chart svg { max-width:100%; height:auto; display:block; }
figure.chart .chart-error { color:var(--bad); font-weight:600; padding:16px; }
table { border-collapse: collapse; width:100%; background:#fff; font-size:13.5px; margin:12px 0 20px; }
caption { text-align:left; font-weight:600; padding:6px 0; }
th, td { padding:7px 10px; border-bottom:1px solid var(--line); text-align:left; }
th { font-size:12px; color:var(--muted); font-weight:600; text-transform:uppercase; letter-spacing:.03em; }
td.num, th.num { text-align:right; font-variant-numeric: tabular-nums; }
footer { max-width:860px; margin:0 auto; padding:0 24px 40px; color:var(--muted); font-size:12.5px; }
footer dt { font-weight:600; color:var(--ink); margin-top:8px; }
footer dd { margin:0; }
@media (max-width: 720px) { .tile-grid { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
@media print {
  @page { margin: 14mm; }
  body { background:#fff; font-size:11pt; }
  header { background:#fff; color:var(--ink); padding:0 0 8px; border-bottom:2px solid var(--ink); }
  header .meta, header .meta strong { color:var(--ink); }
  header .wrap, main, footer { max-width:none; padding:0; }
  figure.chart, .tiles, table, .tile { break-inside: avoid; }
  h2 { break-after: avoid; }
  figure.chart { border:none; padding:0; }
  .tile { border-color:#cbd5e1; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}`;
