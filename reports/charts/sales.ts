import type {
  AttemptsPerLeadRow,
  CadenceComplianceRow,
  CadenceFlagRow,
  ChannelOutcomeRow,
  RepActivityRow,
  ResponseBinRow,
} from '../kpis/sales';
import { bucketAxis, bucketLabel, colors, countAxis, frame, humanize, percentAxis, topRows, WIDTH, type Chart } from './theme';

/** Bins of business hours to first contact, with the SLA drawn as a red line. */
export function responseChart(rows: ResponseBinRow[]): Chart {
  const bins = rows.filter((row) => row.fromHours !== null);
  const notContacted = rows.find((row) => row.label === 'not contacted')?.handoffs ?? 0;
  const returned = rows.find((row) => row.label === 'returned without contact')?.handoffs ?? 0;
  const sla = rows.find((row) => row.slaBusinessHours !== null)?.slaBusinessHours ?? null;
  // The open-ended last bin is drawn one day wide.
  const data = bins.map((row) => ({
    bin: row.label,
    fromHours: row.fromHours,
    toHours: row.toHours ?? (row.fromHours ?? 0) + 24,
    handoffs: row.handoffs,
    slaHours: sla,
  }));
  const title = 'Response time to hand-offs';
  const subtitle = `Business hours to first contact${sla !== null ? `; red line: the ${sla} h SLA` : ''}${notContacted ? `; ${notContacted.toLocaleString('en-US')} not contacted yet` : ''}${returned ? `; ${returned.toLocaleString('en-US')} returned without contact` : ''}`;
  const layers: Record<string, unknown>[] = [
    {
      mark: { type: 'bar', color: colors.sales, stroke: '#ffffff', strokeWidth: 1 },
      encoding: {
        x: {
          field: 'fromHours',
          type: 'quantitative',
          // Pre-binned: the bars span [fromHours, toHours) and stand on the x axis.
          bin: { binned: true },
          scale: { type: 'symlog', domain: [0, 72] },
          axis: { values: [0, 1, 2, 4, 8, 16, 24, 48, 72], title: 'Business hours to first contact (log-like scale)' },
        },
        x2: { field: 'toHours' },
        y: { field: 'handoffs', type: 'quantitative', title: 'Hand-offs', axis: countAxis },
        tooltip: [
          { field: 'bin', title: 'Business hours' },
          { field: 'handoffs', title: 'Hand-offs', format: ',' },
        ],
      },
    },
  ];
  if (sla !== null) {
    layers.push(
      { mark: { type: 'rule', color: colors.sla, strokeWidth: 2, strokeDash: [6, 3] }, encoding: { x: { datum: sla, type: 'quantitative' } } },
      {
        mark: { type: 'text', color: colors.sla, align: 'left', dx: 4, dy: -4, baseline: 'top', fontWeight: 600, y: 0 },
        encoding: { x: { datum: sla, type: 'quantitative' }, text: { value: `SLA ${sla} h` } },
      },
    );
  }
  return { kpi: 'response_distribution', title, data, spec: frame(title, subtitle, data, { width: WIDTH, height: 220, layer: layers }) };
}

export function attemptsChart(rows: AttemptsPerLeadRow[]): Chart {
  const data = rows.map((row) => ({ attempts: row.attempts, leads: row.leads }));
  const title = 'Contact attempts per hand-off';
  return {
    kpi: 'attempts_per_lead',
    title,
    data,
    spec: frame(title, 'How many times Sales tried each lead handed off in the period', data, {
      width: WIDTH,
      height: 200,
      mark: { type: 'bar', color: colors.sales },
      encoding: {
        x: { field: 'attempts', type: 'ordinal', title: 'Attempts', axis: { labelAngle: 0 } },
        y: { field: 'leads', type: 'quantitative', title: 'Hand-offs', axis: countAxis },
        tooltip: [
          { field: 'attempts', title: 'Attempts' },
          { field: 'leads', title: 'Hand-offs', format: ',' },
        ],
      },
    }),
  };
}

/** Per rep: attempts made, and the share of their hand-offs answered within the SLA. */
export function repChart(all: RepActivityRow[]): Chart {
  // Rows come most active first; a big team is cut to its 25 most active reps.
  const { shown: rows, note } = topRows(all, 25, 'reps');
  const data = rows.map((row) => ({
    rep: row.rep,
    attempts: row.attempts,
    attemptsPerLead: row.attemptsPerLead === null ? null : Math.round(row.attemptsPerLead * 100) / 100,
    cadenceCompliance: row.cadenceCompliance.rate,
    responseWithinSla: row.responseWithinSla.rate,
    handoffs: row.handoffs,
    p50ResponseBusinessHours: row.p50ResponseBusinessHours === null ? null : Math.round(row.p50ResponseBusinessHours * 10) / 10,
  }));
  const title = 'Contact frequency and response per rep';
  // An explicit order: a field sort shared by layers makes vega-lite union domains with a warning.
  const order = [...data].sort((p, q) => q.attempts - p.attempts || p.rep.localeCompare(q.rep)).map((d) => d.rep);
  const y = { field: 'rep', type: 'nominal', title: null, sort: order };
  const tooltip = [
    { field: 'rep', title: 'Rep' },
    { field: 'attempts', title: 'Attempts' },
    { field: 'attemptsPerLead', title: 'Attempts per lead' },
    { field: 'cadenceCompliance', title: 'Cadence compliance', format: '.0%' },
    { field: 'handoffs', title: 'Hand-offs' },
    { field: 'responseWithinSla', title: 'Response within SLA', format: '.0%' },
    { field: 'p50ResponseBusinessHours', title: 'Median response (business h)' },
  ];
  return {
    kpi: 'rep_activity',
    title,
    data,
    spec: frame(title, `Left: attempts in the period; right: hand-offs answered within the SLA${note}`, data, {
      hconcat: [
        {
          width: 250,
          height: { step: 22 },
          encoding: { y, tooltip },
          layer: [
            { mark: { type: 'bar', color: colors.sales }, encoding: { x: { field: 'attempts', type: 'quantitative', title: 'Attempts', axis: countAxis } } },
            { mark: { type: 'text', align: 'left', dx: 4 }, encoding: { x: { field: 'attempts', type: 'quantitative' }, text: { field: 'attempts' } } },
          ],
        },
        {
          width: 200,
          height: { step: 22 },
          encoding: { y: { ...y, axis: null }, tooltip },
          layer: [
            {
              mark: { type: 'bar', color: '#14b8a6' },
              encoding: { x: { field: 'responseWithinSla', type: 'quantitative', title: 'Response within SLA', axis: { ...percentAxis, values: [0, 0.25, 0.5, 0.75, 1] }, scale: { domain: [0, 1.2] } } },
            },
            {
              mark: { type: 'text', align: 'left', dx: 4 },
              encoding: { x: { field: 'responseWithinSla', type: 'quantitative' }, text: { field: 'responseWithinSla', format: '.0%' } },
            },
          ],
        },
      ],
    }),
  };
}

export function channelOutcomeChart(rows: ChannelOutcomeRow[]): Chart {
  const data = rows.map((row) => ({
    channel: humanize(row.channel),
    outcome: humanize(row.outcome),
    attempts: row.attempts,
    share: row.share.rate,
  }));
  const title = 'Channel and outcome mix';
  return {
    kpi: 'channel_outcome_mix',
    title,
    data,
    spec: frame(title, 'Contact attempts in the period', data, {
      width: WIDTH - 100,
      height: { step: 30 },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'channel', type: 'nominal', title: null, sort: '-x' },
        x: { field: 'attempts', type: 'quantitative', title: 'Attempts', stack: 'zero', axis: countAxis },
        color: { field: 'outcome', type: 'nominal', title: 'Outcome' },
        tooltip: [
          { field: 'channel', title: 'Channel' },
          { field: 'outcome', title: 'Outcome' },
          { field: 'attempts', title: 'Attempts', format: ',' },
          { field: 'share', title: 'Share of attempts', format: '.1%' },
        ],
      },
    }),
  };
}

export function cadenceComplianceChart(rows: CadenceComplianceRow[]): Chart {
  const monthly = rows.length > 0 && rows.every((row) => row.bucket.endsWith('-01'));
  const data = rows.map((row) => ({
    bucket: row.bucket,
    period: bucketLabel(row.bucket, monthly),
    rate: row.rate,
    compliant: row.numerator,
    attempts: row.denominator,
  }));
  const title = 'Cadence compliance';
  return {
    kpi: 'cadence_compliance',
    title,
    data,
    spec: frame(title, 'Share of contact attempts without a cadence flag', data, {
      width: WIDTH,
      height: 200,
      mark: { type: 'line', point: true, color: colors.sales },
      encoding: {
        x: bucketAxis(rows.map((row) => row.bucket)),
        y: { field: 'rate', type: 'quantitative', title: 'Compliant', axis: percentAxis, scale: { domain: [0, 1] } },
        tooltip: [
          { field: 'period', title: 'Week of' },
          { field: 'rate', title: 'Compliant', format: '.1%' },
          { field: 'compliant', title: 'Compliant attempts' },
          { field: 'attempts', title: 'Attempts' },
        ],
      },
    }),
  };
}

export function cadenceFlagsChart(rows: CadenceFlagRow[]): Chart {
  const data = rows.map((row) => ({ flag: humanize(row.flag), attempts: row.attempts, share: row.share.rate }));
  const title = 'Cadence breaches by kind';
  return {
    kpi: 'cadence_flags',
    title,
    data,
    spec: frame(title, 'Flagged contact attempts (an attempt may carry several flags)', data, {
      width: WIDTH - 160,
      height: { step: 26 },
      mark: { type: 'bar', color: colors.bad },
      encoding: {
        y: { field: 'flag', type: 'nominal', title: null, sort: '-x' },
        x: { field: 'attempts', type: 'quantitative', title: 'Attempts', axis: countAxis },
        tooltip: [
          { field: 'flag', title: 'Flag' },
          { field: 'attempts', title: 'Attempts', format: ',' },
          { field: 'share', title: 'Share of all attempts', format: '.1%' },
        ],
      },
    }),
  };
}
