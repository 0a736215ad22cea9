import { funnelSteps, type GoalRow } from '../kpis/goals';
import { goalStepLabels } from './labels';
import { colors, frame, symlogTicks, WIDTH, type Chart } from './theme';

const sideColors = { marketing: colors.marketing, sales: colors.sales, shared: colors.shared };

function formatValue(value: number, metric: string, currency: string): string {
  if (metric === 'new_revenue') {
    return (value / 100).toLocaleString('en-US', { style: 'currency', currency: currency || 'USD', maximumFractionDigits: 0 });
  }
  return value.toLocaleString('en-US');
}

/** Each goal as a share of its target, with a tick where it should be by now. */
export function goalChart(rows: GoalRow[]): Chart {
  const data = rows.map((goal) => ({
    goal: goal.name,
    side: goal.ownerSide,
    attainment: goal.attainment.rate,
    paceMark: goal.target ? goal.pacing.neededToDate / goal.target : null,
    // The label starts past both the bar and the pace tick, so neither hides it.
    labelAt: Math.max(goal.attainment.rate ?? 0, goal.target ? goal.pacing.neededToDate / goal.target : 0),
    actual: goal.actual,
    target: goal.target,
    label: `${formatValue(goal.actual, goal.metric, goal.currency)} of ${formatValue(goal.target, goal.metric, goal.currency)}`,
    onTrack: goal.pacing.onTrack ? 'On track' : 'Behind',
    period: `${goal.periodStart} – ${goal.periodEnd}`,
  }));
  const title = 'Goal attainment and pacing';
  const sides = Object.keys(sideColors).filter((side) => rows.some((goal) => goal.ownerSide === side));
  const y = { field: 'goal', type: 'nominal', title: null, sort: null, axis: { labelLimit: 240 } };
  return {
    kpi: 'goal_attainment',
    title,
    data,
    spec: frame(title, 'Bar: actual as a share of the target; black tick: where the goal should be by now', data, {
      width: WIDTH - 200,
      height: { step: 36 },
      encoding: { y },
      layer: [
        {
          mark: { type: 'bar', height: { band: 0.6 } },
          encoding: {
            x: { field: 'attainment', type: 'quantitative', title: 'Share of target', axis: { format: '.0%' }, scale: { domainMin: 0, nice: true } },
            color: {
              field: 'side',
              type: 'nominal',
              title: 'Owner',
              // Only the sides that own a goal here, each in its colour.
              scale: { domain: sides, range: sides.map((side) => sideColors[side as keyof typeof sideColors] ?? colors.muted) },
            },
            tooltip: [
              { field: 'goal', title: 'Goal' },
              { field: 'period', title: 'Period' },
              { field: 'label', title: 'Actual' },
              { field: 'attainment', title: 'Attained', format: '.1%' },
              { field: 'paceMark', title: 'Needed by now', format: '.1%' },
              { field: 'onTrack', title: 'Pacing' },
            ],
          },
        },
        { mark: { type: 'tick', color: colors.ink, thickness: 3, size: 26 }, encoding: { x: { field: 'paceMark', type: 'quantitative' } } },
        {
          mark: { type: 'text', align: 'left', dx: 8, fontSize: 11 },
          encoding: { x: { field: 'labelAt', type: 'quantitative' }, text: { field: 'label' } },
        },
      ],
    }),
  };
}

/** One goal's reverse funnel: what the whole period needs, what is needed by now, and the actual. */
export function reverseFunnelChart(goal: GoalRow): Chart {
  const share = goal.pacing.elapsedShare;
  const steps = funnelSteps.filter((step) => step !== 'revenueMinor' && goal.needs && goal.needs[step] > 0);
  const data = steps.flatMap((step, order) => {
    const needed = goal.needs![step as Exclude<typeof step, 'revenueMinor'>];
    return [
      { step: goalStepLabels[step], order, measure: 'Needed for the period', value: needed },
      { step: goalStepLabels[step], order, measure: 'Needed by now', value: Math.ceil(needed * share) },
      { step: goalStepLabels[step], order, measure: 'Actual so far', value: goal.actuals[step] },
    ];
  });
  const title = `Reverse funnel: ${goal.name}`;
  return {
    kpi: 'goal_attainment',
    title,
    data,
    spec: frame(title, `What the target needs at each step (${goal.rateSource} rates), against the actual`, data, {
      width: WIDTH - 160,
      height: { step: 12 },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'step', type: 'nominal', title: null, sort: { field: 'order' } },
        yOffset: { field: 'measure', sort: ['Needed for the period', 'Needed by now', 'Actual so far'] },
        x: {
          field: 'value',
          type: 'quantitative',
          title: 'Count (log scale)',
          scale: { type: 'symlog' },
          axis: { values: symlogTicks(Math.max(0, ...data.map((d) => d.value))), labelExpr: "format(datum.value, ',')" },
        },
        color: {
          field: 'measure',
          type: 'nominal',
          title: null,
          scale: { domain: ['Needed for the period', 'Needed by now', 'Actual so far'], range: ['#cbd5e1', '#64748b', colors.shared] },
        },
        tooltip: [
          { field: 'step', title: 'Step' },
          { field: 'measure', title: 'Measure' },
          { field: 'value', title: 'Count', format: ',' },
        ],
      },
    }),
  };
}
