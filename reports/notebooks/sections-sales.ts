import { buildChart } from '../charts/index';
import { clockLabels, routeLabels } from '../charts/labels';
import { formatCount, formatHours, formatPercent, mdText, plural } from '../format';
import { wholeOf } from '../kpis/audience';
import { sumRates } from './scorecard';
import type { Cell, NotebookData } from './types';

const chart = (cell: ReturnType<typeof buildChart>): Cell => ({ kind: 'chart', chart: cell });

export function salesSection(data: NotebookData): Cell[] {
  const { current: c } = data;
  const cells: Cell[] = [{ kind: 'markdown', markdown: '## Sales side: response and cadence' }];
  const response = c.response_time?.[0];
  if (response) {
    cells.push({
      kind: 'markdown',
      markdown:
        `${plural(response.handoffs, 'hand-off')}: ${formatCount(response.withinSla.numerator)} answered within the SLA, ${formatCount(response.breached)} breached, ` +
        `${formatCount(response.closedWithoutContact)} sent back to Marketing within the SLA without a contact (not counted), ` +
        `${formatCount(response.pending)} not contacted yet with time left. Median first response ${formatHours(response.p50BusinessHours)} ` +
        `(p90 ${formatHours(response.p90BusinessHours)}) in business hours.`,
    });
  }
  if (c.response_distribution) cells.push(chart(buildChart('response_distribution', c.response_distribution)));
  if (c.attempts_per_lead) cells.push(chart(buildChart('attempts_per_lead', c.attempts_per_lead)));
  if (c.rep_activity) {
    // A rep's own notebook holds its row and the team total (reports/kpis/audience.ts): no ranking.
    const reps = c.rep_activity.filter((row) => !row.teamTotal);
    const team = c.rep_activity.find((row) => row.teamTotal);
    const slowest = [...reps]
      .filter((row) => row.responseWithinSla.denominator > 0)
      .sort((a, b) => (a.responseWithinSla.rate ?? 0) - (b.responseWithinSla.rate ?? 0))[0];
    if (team) {
      const own = reps[0];
      cells.push({
        kind: 'markdown',
        markdown: own
          ? `Response within SLA: **${mdText(own.rep)}** at ${formatPercent(own.responseWithinSla.rate)} (${formatCount(own.responseWithinSla.numerator)} of ${formatCount(own.responseWithinSla.denominator)}), the team at ${formatPercent(team.responseWithinSla.rate)}. Other reps are shown only in the team total.`
          : `The team's response within SLA: ${formatPercent(team.responseWithinSla.rate)} (${formatCount(team.responseWithinSla.numerator)} of ${formatCount(team.responseWithinSla.denominator)}). Other reps are shown only in the team total.`,
      });
    } else if (slowest) {
      cells.push({
        kind: 'markdown',
        markdown: `Lowest response within SLA: **${mdText(slowest.rep)}** at ${formatPercent(slowest.responseWithinSla.rate)} (${formatCount(slowest.responseWithinSla.numerator)} of ${formatCount(slowest.responseWithinSla.denominator)}).`,
      });
    }
    cells.push(chart(buildChart('rep_activity', c.rep_activity)));
    cells.push({
      kind: 'table',
      table: {
        kpi: 'rep_activity',
        title: 'Reps',
        columns: [
          { key: 'rep', label: 'Rep', format: 'text' },
          { key: 'attempts', label: 'Attempts', format: 'count' },
          { key: 'leadsContacted', label: 'Leads contacted', format: 'count' },
          { key: 'attemptsPerLead', label: 'Attempts / lead', format: 'decimal' },
          { key: 'p50IntervalHours', label: 'Median interval', format: 'hours' },
          { key: 'cadenceCompliance', label: 'Cadence compliance', format: 'percent' },
          { key: 'handoffs', label: 'Hand-offs', format: 'count' },
          { key: 'responseWithinSla', label: 'Response within SLA', format: 'percent' },
          { key: 'p50ResponseBusinessHours', label: 'Median response (business)', format: 'hours' },
        ],
        rows: c.rep_activity.map((row) => ({
          rep: row.rep,
          attempts: row.attempts,
          leadsContacted: row.leadsContacted,
          attemptsPerLead: row.attemptsPerLead,
          p50IntervalHours: row.p50IntervalHours,
          cadenceCompliance: row.cadenceCompliance.rate,
          handoffs: row.handoffs,
          responseWithinSla: row.responseWithinSla.rate,
          p50ResponseBusinessHours: row.p50ResponseBusinessHours,
        })),
      },
    });
  }
  if (c.channel_outcome_mix) cells.push(chart(buildChart('channel_outcome_mix', c.channel_outcome_mix)));
  if (c.cadence_compliance) {
    const cadence = sumRates(c.cadence_compliance)!;
    cells.push({ kind: 'markdown', markdown: `${formatPercent(cadence.rate)} of ${plural(cadence.denominator, 'contact attempt')} kept the cadence.` });
    cells.push(chart(buildChart('cadence_compliance', c.cadence_compliance)));
  }
  if (c.cadence_flags) cells.push(chart(buildChart('cadence_flags', c.cadence_flags)));
  return cells;
}

export function complianceSection(data: NotebookData): Cell[] {
  const rows = data.current.sla_compliance_trend;
  if (!rows) return [];
  return [
    { kind: 'markdown', markdown: '## Both sides, week by week' },
    chart(buildChart('sla_compliance_trend', rows)),
  ];
}

export function breachesSection(data: NotebookData): Cell[] {
  const rows = data.current.sla_breaches;
  if (!rows) return [];
  // A rep's own view holds its rows and the team totals: the sentence counts the totals only.
  const whole = wholeOf(rows);
  const total = whole.reduce((sum, row) => sum + row.breaches, 0);
  const byClock = new Map<string, number>();
  for (const row of whole) byClock.set(row.clock, (byClock.get(row.clock) ?? 0) + row.breaches);
  const clocks = [...byClock].sort((a, b) => b[1] - a[1]).map(([clock, n]) => `${(clockLabels[clock] ?? clock).toLowerCase()} ${formatCount(n)}`);
  return [
    { kind: 'markdown', markdown: '## SLA breaches' },
    {
      kind: 'markdown',
      markdown: total ? `${plural(total, 'breach', 'breaches')} recorded: ${clocks.join(', ')}.` : 'No SLA breach was recorded in the period.',
    },
    chart(buildChart('sla_breaches', rows)),
    {
      kind: 'table',
      table: {
        kpi: 'sla_breaches',
        title: 'Breaches by clock and owner',
        columns: [
          { key: 'clock', label: 'Clock', format: 'text' },
          { key: 'owner', label: 'Owner', format: 'text' },
          { key: 'breaches', label: 'Breaches', format: 'count' },
          { key: 'open', label: 'Still open', format: 'count' },
          { key: 'p50HoursToResolve', label: 'Median time to resolve', format: 'hours' },
        ],
        rows: rows.map((row) => ({
          clock: clockLabels[row.clock] ?? row.clock,
          owner: row.owner,
          breaches: row.breaches,
          open: row.open,
          p50HoursToResolve: row.p50HoursToResolve,
        })),
      },
    },
    ...stuckCells(data),
  ];
}

/** The stages' time limits (stuck leads): prose and a table, when the notebook reads stuck_leads. */
function stuckCells(data: NotebookData): Cell[] {
  const rows = data.current.stuck_leads;
  if (!rows) return [];
  const total = rows.reduce((sum, row) => sum + row.breaches, 0);
  const still = rows.reduce((sum, row) => sum + row.stillStuck, 0);
  if (!total) return [{ kind: 'markdown', markdown: '### Stuck leads\n\nNo lead went past its stage’s time limit in the period.' }];
  const stages = rows.map((row) => `${stageLabel(row.stage)} ${formatCount(row.breaches)}`).join(', ');
  return [
    {
      kind: 'markdown',
      markdown:
        `### Stuck leads\n\n${plural(total, 'lead')} went past ${total === 1 ? 'its' : 'their'} stage’s time limit (${stages}); ` +
        `${formatCount(still)} ${still === 1 ? 'is' : 'are'} still stuck. The \`stuckLeads\` query lists them by stage and owner.`,
    },
    {
      kind: 'table',
      table: {
        kpi: 'stuck_leads',
        title: 'Past the stage’s time limit',
        columns: [
          { key: 'stage', label: 'Stage', format: 'text' },
          { key: 'breaches', label: 'Leads', format: 'count' },
          { key: 'stillStuck', label: 'Still stuck', format: 'count' },
          { key: 'p50HoursOver', label: 'Median time over the limit', format: 'hours' },
        ],
        rows: rows.map((row) => ({ stage: stageLabel(row.stage), breaches: row.breaches, stillStuck: row.stillStuck, p50HoursOver: row.p50HoursOver })),
      },
    },
  ];
}

const stageLabel = (stage: string) => ({ mql: 'MQL', sql: 'SQL', lead: 'Lead', opportunity: 'Opportunity', recycled: 'Recycled', customer: 'Customer', disqualified: 'Disqualified' })[stage] ?? stage;

export function recycleSection(data: NotebookData): Cell[] {
  const rows = data.current.recycle_reasons;
  if (!rows) return [];
  const requal = data.current.requalification?.[0];
  const top = rows[0];
  const total = rows.reduce((sum, row) => sum + row.count, 0);
  return [
    { kind: 'markdown', markdown: '## Recycle reasons' },
    {
      kind: 'markdown',
      markdown:
        (top
          ? `${plural(total, 'lead')} went back to Marketing or ${total === 1 ? 'was' : 'were'} disqualified; the top reason was **${mdText(top.label)}** (${formatCount(top.count)}, ${mdText(routeLabels[top.route]?.toLowerCase() ?? top.route)}).`
          : 'No lead was recycled or disqualified in the period.') +
        (requal ? ` Of ${plural(requal.recycled, 'recycled lead')}, ${formatCount(requal.requalified.numerator)} ${requal.requalified.numerator === 1 ? 'has' : 'have'} qualified again (${formatPercent(requal.requalified.rate)}).` : ''),
    },
    chart(buildChart('recycle_reasons', rows)),
    {
      kind: 'table',
      table: {
        kpi: 'recycle_reasons',
        title: 'Recycle and disqualification reasons',
        columns: [
          { key: 'reason', label: 'Reason', format: 'text' },
          { key: 'route', label: 'Route', format: 'text' },
          { key: 'toStage', label: 'To', format: 'text' },
          { key: 'count', label: 'Leads', format: 'count' },
          { key: 'share', label: 'Share', format: 'percent' },
        ],
        rows: rows.map((row) => ({
          reason: row.label,
          route: routeLabels[row.route] ?? row.route,
          toStage: row.toStage,
          count: row.count,
          share: row.share.rate,
        })),
      },
    },
  ];
}
