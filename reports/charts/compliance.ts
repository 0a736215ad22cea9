import type { NurtureRow, ReasonRow, ScoreBinRow } from '../kpis/marketing';
import type { RecycleReasonRow } from '../kpis/recycle';
import type { BreachRow, SlaComplianceRow } from '../kpis/sla';
import { clockLabels, measureLabels, routeLabels } from './labels';
import { bucketAxis, bucketLabel, colors, countAxis, frame, percentAxis, topRows, WIDTH, type Chart } from './theme';

/** Both sides' SLA measures per week: Sales in solid lines, Marketing dashed. */
export function slaComplianceChart(rows: SlaComplianceRow[]): Chart {
  const monthly = rows.length > 0 && rows.every((row) => row.bucket.endsWith('-01'));
  const data = rows.map((row) => ({
    bucket: row.bucket,
    period: bucketLabel(row.bucket, monthly),
    side: row.side === 'sales' ? 'Sales' : 'Marketing',
    measure: measureLabels[row.measure],
    rate: row.rate,
    numerator: row.numerator,
    denominator: row.denominator,
  }));
  const title = 'SLA compliance over time, both sides';
  return {
    kpi: 'sla_compliance_trend',
    title,
    data,
    spec: frame(title, 'Share of each promise kept, per week', data, {
      width: WIDTH,
      height: 240,
      mark: { type: 'line', point: true },
      encoding: {
        x: bucketAxis(rows.map((row) => row.bucket)),
        y: { field: 'rate', type: 'quantitative', title: 'Kept', axis: percentAxis, scale: { domain: [0, 1] } },
        color: {
          field: 'measure',
          type: 'nominal',
          title: null,
          scale: { domain: Object.values(measureLabels), range: [colors.sales, '#14b8a6', '#0891b2', colors.marketing] },
        },
        strokeDash: { field: 'side', type: 'nominal', legend: null, scale: { domain: ['Sales', 'Marketing'], range: [[1, 0], [6, 3]] } },
        tooltip: [
          { field: 'period', title: monthly ? 'Month' : 'Week of' },
          { field: 'measure', title: 'Measure' },
          { field: 'rate', title: 'Kept', format: '.1%' },
          { field: 'numerator', title: 'Kept (count)' },
          { field: 'denominator', title: 'Out of' },
        ],
      },
    }),
  };
}

export function breachesChart(all: BreachRow[]): Chart {
  // The 25 owners with most breaches (every clock of theirs), so a big team stays readable.
  const totals = new Map<string, number>();
  for (const row of all) totals.set(row.owner, (totals.get(row.owner) ?? 0) + row.breaches);
  const owners = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([owner]) => owner);
  const { shown, note } = topRows(owners, 25, 'owners');
  const rows = all.filter((row) => shown.includes(row.owner));
  const data = rows.map((row) => ({
    clock: clockLabels[row.clock] ?? row.clock,
    owner: row.owner,
    breaches: row.breaches,
    open: row.open,
    resolved: row.resolved,
  }));
  const title = 'SLA breaches by owner and clock';
  return {
    kpi: 'sla_breaches',
    title,
    data,
    spec: frame(title, `Breaches recorded in the period${note}`, data, {
      width: WIDTH - 140,
      height: { step: 20 },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'owner', type: 'nominal', title: null, sort: '-x' },
        x: { field: 'breaches', type: 'quantitative', title: 'Breaches', stack: 'zero', axis: countAxis },
        color: { field: 'clock', type: 'nominal', title: 'Clock' },
        tooltip: [
          { field: 'owner', title: 'Owner' },
          { field: 'clock', title: 'Clock' },
          { field: 'breaches', title: 'Breaches' },
          { field: 'open', title: 'Still open' },
        ],
      },
    }),
  };
}

/** Reasons as horizontal bars, coloured by how the lead went back (rejected, recycled by hand or automatically). */
export function reasonsChart(rows: (RecycleReasonRow | ReasonRow)[], kpi: 'recycle_reasons' | 'rejection_reasons'): Chart {
  const data = rows.map((row) => ({
    reason: row.label,
    code: row.code,
    route: 'route' in row ? (routeLabels[row.route] ?? row.route) : routeLabels.rejected!,
    stage: 'toStage' in row ? row.toStage : null,
    count: row.count,
    share: row.share.rate,
  }));
  const title = kpi === 'recycle_reasons' ? 'Why leads went back to Marketing' : 'Why Sales rejected MQLs';
  const routeColors: Record<string, string> = {
    [routeLabels.rejected!]: colors.bad,
    [routeLabels.manual!]: colors.sales,
    [routeLabels.automatic!]: '#94a3b8',
  };
  const routes = Object.keys(routeColors).filter((route) => data.some((row) => row.route === route));
  return {
    kpi,
    title,
    data,
    spec: frame(title, kpi === 'recycle_reasons' ? 'Recycles and disqualifications in the period, by reason' : 'Rejected hand-offs in the period, by reason', data, {
      width: WIDTH - 180,
      height: { step: 24 },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'reason', type: 'nominal', title: null, sort: '-x' },
        x: { field: 'count', type: 'quantitative', title: 'Leads', stack: 'zero', axis: countAxis },
        color: {
          field: 'route',
          type: 'nominal',
          title: null,
          // Only the routes present, each with its own colour.
          scale: { domain: routes, range: routes.map((route) => routeColors[route] ?? colors.muted) },
        },
        tooltip: [
          { field: 'reason', title: 'Reason' },
          { field: 'route', title: 'Route' },
          { field: 'count', title: 'Leads', format: ',' },
          { field: 'share', title: 'Share', format: '.1%' },
        ],
      },
    }),
  };
}

export function scoreChart(rows: ScoreBinRow[]): Chart {
  const data = rows.map((row) => ({
    binStart: row.binStart,
    binEnd: row.binEnd,
    bin: row.binStart < 0 ? 'below 0' : row.binStart >= 150 ? '150 +' : `${row.binStart}–${row.binEnd - 1}`,
    temperature: row.temperature,
    leads: row.leads,
  }));
  const title = 'Score and temperature of new leads';
  return {
    kpi: 'score_distribution',
    title,
    data,
    spec: frame(title, 'Leads created in the period by total score (fit + interest), coloured by temperature', data, {
      width: WIDTH,
      height: 200,
      mark: { type: 'bar', stroke: '#ffffff', strokeWidth: 0.5 },
      encoding: {
        x: { field: 'binStart', type: 'quantitative', bin: { binned: true, step: 10 }, title: 'Total score', scale: { domain: [-10, 160] } },
        x2: { field: 'binEnd' },
        y: { field: 'leads', type: 'quantitative', title: 'Leads', stack: 'zero', axis: countAxis },
        color: {
          field: 'temperature',
          type: 'nominal',
          title: 'Temperature',
          scale: { domain: ['cold', 'warm', 'hot'], range: [colors.temperature.cold, colors.temperature.warm, colors.temperature.hot] },
        },
        tooltip: [
          { field: 'bin', title: 'Score' },
          { field: 'temperature', title: 'Temperature' },
          { field: 'leads', title: 'Leads', format: ',' },
        ],
      },
    }),
  };
}

export function nurtureChart(rows: NurtureRow[]): Chart {
  const data = rows.flatMap((row) => [
    { workflow: row.workflow, measure: 'Enrolled', order: 0, leads: row.enrolled, rate: null as number | null },
    { workflow: row.workflow, measure: 'Completed', order: 1, leads: row.completed.numerator, rate: row.completed.rate },
    { workflow: row.workflow, measure: 'Re-engaged (MQL again)', order: 2, leads: row.reengaged.numerator, rate: row.reengaged.rate },
  ]);
  const title = 'Nurture workflows';
  return {
    kpi: 'nurture',
    title,
    data,
    spec: frame(title, 'Enrolments in the period, and what came of them', data, {
      width: WIDTH - 160,
      height: { step: 14 },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'workflow', type: 'nominal', title: null },
        yOffset: { field: 'measure', sort: { field: 'order' } },
        x: { field: 'leads', type: 'quantitative', title: 'Leads', axis: countAxis },
        color: { field: 'measure', type: 'nominal', title: null, sort: { field: 'order' }, scale: { range: ['#94a3b8', colors.marketing, colors.good] } },
        tooltip: [
          { field: 'workflow', title: 'Workflow' },
          { field: 'measure', title: 'Measure' },
          { field: 'leads', title: 'Leads', format: ',' },
          { field: 'rate', title: 'Of enrolled', format: '.1%' },
        ],
      },
    }),
  };
}
