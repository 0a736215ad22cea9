import { buildChart } from '../charts/index';
import { reverseFunnelChart } from '../charts/goals';
import type { GoalRow } from '../kpis/goals';
import { formatCount, formatMoney, formatPercent, mdText } from '../format';
import type { Cell, NotebookData, Side } from './types';

export function goalValue(goal: GoalRow, value: number): string {
  return goal.metric === 'new_revenue' ? formatMoney(value, goal.currency) : formatCount(value);
}

function goalSentence(goal: GoalRow): string {
  const pace = goal.pacing;
  return (
    `**${mdText(goal.name)}** (${goal.periodStart} to ${goal.periodEnd}): ${goalValue(goal, goal.actual)} of ${goalValue(goal, goal.target)} ` +
    `(${formatPercent(goal.attainment.rate)}); ${goalValue(goal, pace.neededToDate)} needed by now, so ${pace.onTrack ? '**on track**' : '**behind**'}` +
    `${pace.elapsedShare < 1 ? `, heading for ${goalValue(goal, pace.projectedAtEnd)}` : ''}.`
  );
}

/** Goals owned by the given sides (all when omitted). */
export function goalsSection(data: NotebookData, sides?: Side[]): Cell[] {
  const goals = (data.current.goal_attainment ?? []).filter((goal) => !sides || sides.includes(goal.ownerSide as Side));
  const cells: Cell[] = [{ kind: 'markdown', markdown: '## Goals' }];
  if (!goals.length) {
    cells.push({ kind: 'markdown', markdown: 'No goal of the agreement covers this period.' });
    return cells;
  }
  cells.push({ kind: 'markdown', markdown: goals.map((goal) => `- ${goalSentence(goal)}`).join('\n') });
  cells.push({ kind: 'chart', chart: buildChart('goal_attainment', goals) });
  // The reverse funnel of the top goal (revenue first): what each step must deliver.
  const top = goals.find((goal) => goal.metric === 'new_revenue' && goal.needs) ?? goals.find((goal) => goal.needs);
  if (top) cells.push({ kind: 'chart', chart: reverseFunnelChart(top) });
  cells.push({
    kind: 'table',
    table: {
      kpi: 'goal_attainment',
      title: 'Goals',
      columns: [
        { key: 'goal', label: 'Goal', format: 'text' },
        { key: 'owner', label: 'Owner', format: 'text' },
        { key: 'period', label: 'Period', format: 'text' },
        { key: 'target', label: 'Target', format: 'text' },
        { key: 'actual', label: 'Actual', format: 'text' },
        { key: 'attainment', label: 'Attained', format: 'percent' },
        { key: 'neededByNow', label: 'Needed by now', format: 'text' },
        { key: 'projected', label: 'Projected', format: 'text' },
        { key: 'pacing', label: 'Pacing', format: 'text' },
      ],
      rows: goals.map((goal) => ({
        goal: goal.name,
        owner: goal.ownerSide,
        period: `${goal.periodStart} – ${goal.periodEnd}`,
        target: goalValue(goal, goal.target),
        actual: goalValue(goal, goal.actual),
        attainment: goal.attainment.rate,
        neededByNow: goalValue(goal, goal.pacing.neededToDate),
        projected: goalValue(goal, goal.pacing.projectedAtEnd),
        pacing: goal.pacing.onTrack ? 'on track' : 'behind',
      })),
    },
  });
  return cells;
}
