import { buildChart } from '../charts/index';
import { stageLabels, stageNouns, stepLabels } from '../charts/labels';
import { formatCount, formatHours, formatPercent, mdText, plural } from '../format';
import type { Cell, NotebookData } from './types';

const chart = (cell: ReturnType<typeof buildChart>): Cell => ({ kind: 'chart', chart: cell });

export function funnelSection(data: NotebookData, withCohort: boolean): Cell[] {
  const { current: c, trend } = data;
  const cells: Cell[] = [{ kind: 'markdown', markdown: '## Funnel' }];
  if (c.funnel) {
    const path = c.funnel.map((row) => plural(row.count, ...stageNouns[row.stage])).join(' → ');
    const weakest = c.funnel
      .filter((row) => row.fromPrevious?.rate !== null && row.fromPrevious !== null && row.stage !== 'leads')
      .sort((a, b) => (a.fromPrevious!.rate ?? 1) - (b.fromPrevious!.rate ?? 1))[0];
    cells.push({
      kind: 'markdown',
      markdown:
        `In ${data.period.label}: ${path}.` +
        (weakest ? ` The narrowest step was ${stageLabels[weakest.stage]} at ${formatPercent(weakest.fromPrevious!.rate)} of the stage before.` : ''),
    });
    cells.push(chart(buildChart('funnel', c.funnel)));
  }
  if (withCohort && c.funnel_cohort) cells.push(chart(buildChart('funnel_cohort', c.funnel_cohort)));
  if (trend.conversion_trend) {
    cells.push({ kind: 'markdown', markdown: `Conversion over the six months to the end of ${data.period.label}, month by month:` });
    cells.push(chart(buildChart('conversion_trend', trend.conversion_trend)));
  }
  if (c.stage_durations) {
    const parts = c.stage_durations
      .filter((row) => row.count > 0)
      .map((row) => `${stepLabels[row.step]} ${formatHours(row.p50Hours)} (p90 ${formatHours(row.p90Hours)})`);
    if (parts.length) cells.push({ kind: 'markdown', markdown: `Median time between stages: ${parts.join('; ')}.` });
    cells.push(chart(buildChart('stage_durations', c.stage_durations)));
  }
  return cells;
}

export function marketingSection(data: NotebookData): Cell[] {
  const { current: c } = data;
  const cells: Cell[] = [{ kind: 'markdown', markdown: '## Marketing side: the quality of hand-offs' }];
  const acceptance = c.mql_acceptance?.[0];
  if (acceptance) {
    cells.push({
      kind: 'markdown',
      markdown:
        `Of **${formatCount(acceptance.mqls)} MQLs**, Sales accepted ${formatCount(acceptance.acceptance.numerator)} (${formatPercent(acceptance.acceptance.rate)}) ` +
        `and rejected ${formatCount(acceptance.rejection.numerator)} (${formatPercent(acceptance.rejection.rate)}); ${formatCount(acceptance.undecided)} ${acceptance.undecided === 1 ? 'is' : 'are'} undecided. ` +
        `${formatCount(acceptance.precision.numerator)} went on to a won deal (precision ${formatPercent(acceptance.precision.rate)}).`,
    });
    cells.push(chart(buildChart('mql_acceptance', c.mql_acceptance!)));
  }
  if (c.rejection_reasons) {
    const top = c.rejection_reasons[0];
    cells.push({
      kind: 'markdown',
      markdown: top
        ? `The most common reason for a rejection was **${mdText(top.label)}** (${formatCount(top.count)}, ${formatPercent(top.share.rate)} of rejections).`
        : 'No hand-off was rejected in the period.',
    });
    cells.push(chart(buildChart('rejection_reasons', c.rejection_reasons)));
  }
  if (c.score_distribution) {
    const byTemperature = { cold: 0, warm: 0, hot: 0 } as Record<string, number>;
    for (const row of c.score_distribution) byTemperature[row.temperature] = (byTemperature[row.temperature] ?? 0) + row.leads;
    const total = Object.values(byTemperature).reduce((a, b) => a + b, 0);
    cells.push({
      kind: 'markdown',
      markdown: `Of ${plural(total, 'new lead')}, ${formatCount(byTemperature.hot!)} are hot, ${formatCount(byTemperature.warm!)} warm and ${formatCount(byTemperature.cold!)} cold today.`,
    });
    cells.push(chart(buildChart('score_distribution', c.score_distribution)));
  }
  return cells;
}

export function nurtureSection(data: NotebookData): Cell[] {
  const rows = data.current.nurture;
  if (!rows) return [];
  const enrolled = rows.reduce((sum, row) => sum + row.enrolled, 0);
  const reengaged = rows.reduce((sum, row) => sum + row.reengaged.numerator, 0);
  return [
    { kind: 'markdown', markdown: '## Nurture' },
    {
      kind: 'markdown',
      markdown: `${plural(enrolled, 'lead')} entered a nurture workflow; ${formatCount(reengaged)} of them ${reengaged === 1 ? 'has' : 'have'} become MQL again (${formatPercent(enrolled ? reengaged / enrolled : null)}).`,
    },
    chart(buildChart('nurture', rows)),
    {
      kind: 'table',
      table: {
        kpi: 'nurture',
        title: 'Nurture workflows',
        columns: [
          { key: 'workflow', label: 'Workflow', format: 'text' },
          { key: 'buyingStage', label: 'Buying stage', format: 'text' },
          { key: 'enrolled', label: 'Enrolled', format: 'count' },
          { key: 'completed', label: 'Completed', format: 'percent' },
          { key: 'exited', label: 'Exited', format: 'count' },
          { key: 'reengaged', label: 'Re-engaged', format: 'percent' },
        ],
        rows: rows.map((row) => ({
          workflow: row.workflow,
          buyingStage: row.buyingStage,
          enrolled: row.enrolled,
          completed: row.completed.rate,
          exited: row.exited,
          reengaged: row.reengaged.rate,
        })),
      },
    },
  ];
}
