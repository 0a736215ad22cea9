import type { ConversionTrendRow, FunnelRow, StageDurationRow } from '../kpis/funnel';
import type { MqlAcceptanceRow } from '../kpis/marketing';
import { stageLabels, stepLabels } from './labels';
import { formatPercent } from '../format';
import { bucketAxis, bucketLabel, colors, countAxis, frame, percentAxis, symlogTicks, WIDTH, type Chart } from './theme';

const count = (n: number) => n.toLocaleString('en-US');

/** Funnel as horizontal bars (symlog: visitors and won deals differ by orders of magnitude), with stage-to-stage rates. */
export function funnelChart(rows: FunnelRow[], kpi: 'funnel' | 'funnel_cohort' = 'funnel'): Chart {
  const data = rows.map((row, order) => ({
    order,
    stage: stageLabels[row.stage],
    count: row.count,
    rate: row.fromPrevious?.rate ?? null,
    numerator: row.fromPrevious?.numerator ?? null,
    denominator: row.fromPrevious?.denominator ?? null,
    label: `${count(row.count)}${row.fromPrevious ? `  ·  ${formatPercent(row.fromPrevious.rate)} of ${stageLabels[rows[order - 1]!.stage].toLowerCase()}` : ''}`,
  }));
  const title = kpi === 'funnel' ? 'Funnel in the period' : 'Funnel of the leads created in the period';
  const subtitle = kpi === 'funnel' ? 'Volumes per stage; rate = this stage over the previous one' : 'Where this cohort got to, as of today';
  // An explicit order: a field sort shared by layers makes vega-lite union domains with a warning.
  const y = { field: 'stage', type: 'nominal', sort: data.map((d) => d.stage), title: null, axis: { labelFontSize: 12, labelPadding: 6 } };
  return {
    kpi,
    title,
    data,
    spec: frame(title, subtitle, data, {
      width: WIDTH - 120,
      height: { step: 34 },
      encoding: { y },
      layer: [
        {
          mark: { type: 'bar', color: kpi === 'funnel' ? colors.shared : colors.marketing, height: { band: 0.72 } },
          encoding: {
            x: {
              field: 'count',
              type: 'quantitative',
              scale: { type: 'symlog' },
              title: 'Count (log scale)',
              axis: { values: symlogTicks(Math.max(0, ...rows.map((row) => row.count))), labelExpr: "format(datum.value, ',')" },
            },
            tooltip: [
              { field: 'stage', title: 'Stage' },
              { field: 'count', title: 'Count', format: ',' },
              { field: 'rate', title: 'From previous', format: '.1%' },
            ],
          },
        },
        {
          mark: { type: 'text', align: 'left', dx: 6, fontWeight: 500 },
          encoding: { x: { field: 'count', type: 'quantitative' }, text: { field: 'label' } },
        },
      ],
    }),
  };
}

/** Conversion per step over time (weeks or months). */
export function conversionTrendChart(rows: ConversionTrendRow[]): Chart {
  const monthly = rows.length > 0 && rows.every((row) => row.bucket.endsWith('-01'));
  const data = rows.map((row) => ({
    bucket: row.bucket,
    period: bucketLabel(row.bucket, monthly),
    step: stepLabels[row.step],
    rate: row.rate,
    numerator: row.numerator,
    denominator: row.denominator,
  }));
  const title = 'Stage-to-stage conversion over time';
  return {
    kpi: 'conversion_trend',
    title,
    data,
    spec: frame(title, 'Each bucket follows the leads that entered the step then; recent buckets are still maturing', data, {
      width: WIDTH,
      height: 240,
      mark: { type: 'line', point: true },
      encoding: {
        x: bucketAxis(rows.map((row) => row.bucket)),
        y: { field: 'rate', type: 'quantitative', title: 'Conversion', axis: percentAxis, scale: { domain: [0, 1] } },
        color: { field: 'step', type: 'nominal', title: null, sort: Object.values(stepLabels) },
        tooltip: [
          { field: 'period', title: monthly ? 'Month' : 'Week of' },
          { field: 'step', title: 'Step' },
          { field: 'rate', title: 'Rate', format: '.1%' },
          { field: 'numerator', title: 'Converted' },
          { field: 'denominator', title: 'Entered' },
        ],
      },
    }),
  };
}

/** Median and 90th percentile time between stages, in days. */
export function stageDurationChart(rows: StageDurationRow[]): Chart {
  const data = rows.map((row, order) => ({
    order,
    step: stepLabels[row.step],
    count: row.count,
    p50Days: row.p50Hours === null ? null : Math.round((row.p50Hours / 24) * 100) / 100,
    p90Days: row.p90Hours === null ? null : Math.round((row.p90Hours / 24) * 100) / 100,
  }));
  const title = 'Time between stages';
  const y = { field: 'step', type: 'nominal', sort: data.map((d) => d.step), title: null };
  return {
    kpi: 'stage_durations',
    title,
    data,
    spec: frame(title, 'Bar: median (p50) in days; tick: 90th percentile', data, {
      width: WIDTH - 140,
      height: { step: 34 },
      encoding: { y },
      layer: [
        {
          mark: { type: 'bar', color: colors.shared, height: { band: 0.6 } },
          encoding: {
            x: { field: 'p50Days', type: 'quantitative', title: 'Days' },
            tooltip: [
              { field: 'step', title: 'Step' },
              { field: 'p50Days', title: 'Median (days)' },
              { field: 'p90Days', title: 'p90 (days)' },
              { field: 'count', title: 'Measured' },
            ],
          },
        },
        { mark: { type: 'tick', color: colors.ink, thickness: 2, size: 22 }, encoding: { x: { field: 'p90Days', type: 'quantitative' } } },
      ],
    }),
  };
}

/** What became of the period's MQLs: accepted, rejected, undecided. */
export function mqlOutcomeChart(rows: MqlAcceptanceRow[]): Chart {
  const row = rows[0];
  const parts = row
    ? [
        { outcome: 'Accepted (→ SQL)', order: 0, mqls: row.acceptance.numerator, share: row.acceptance.rate },
        { outcome: 'Rejected', order: 1, mqls: row.rejection.numerator, share: row.rejection.rate },
        { outcome: 'Undecided', order: 2, mqls: row.undecided, share: row.mqls ? row.undecided / row.mqls : null },
      ]
    : [];
  const title = 'What Sales did with the MQLs';
  return {
    kpi: 'mql_acceptance',
    title,
    data: parts,
    spec: frame(title, row ? `${count(row.mqls)} MQLs entered in the period` : undefined, parts, {
      width: WIDTH,
      height: 56,
      mark: { type: 'bar', height: { band: 0.8 } },
      encoding: {
        x: { field: 'mqls', type: 'quantitative', stack: 'zero', title: 'MQLs', axis: countAxis },
        color: {
          field: 'outcome',
          type: 'nominal',
          title: null,
          sort: { field: 'order' },
          scale: { range: [colors.good, colors.bad, '#94a3b8'] },
        },
        order: { field: 'order' },
        tooltip: [
          { field: 'outcome', title: 'Outcome' },
          { field: 'mqls', title: 'MQLs' },
          { field: 'share', title: 'Share', format: '.1%' },
        ],
      },
    }),
  };
}
