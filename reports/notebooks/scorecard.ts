import { wholeOf } from '../kpis/audience';
import type { Rate } from '../kpis/types';
import { formatCount, formatHours, formatMoney, formatPercent, plural } from '../format';
import { changePhrase, rateTile, valueTile } from './tiles';
import type { Cell, KpiResults, NotebookData, Tile } from './types';

/** Sum of rates over buckets that partition one population (e.g. weeks of attempts). */
export function sumRates(rows: Rate[] | undefined): Rate | undefined {
  if (!rows) return undefined;
  const numerator = rows.reduce((sum, row) => sum + row.numerator, 0);
  const denominator = rows.reduce((sum, row) => sum + row.denominator, 0);
  return { numerator, denominator, rate: denominator ? numerator / denominator : null };
}

const stageCount = (r: KpiResults, stage: string) => r.funnel?.find((row) => row.stage === stage)?.count ?? null;
const wonRevenue = (r: KpiResults) => r.funnel?.find((row) => row.stage === 'won')?.revenueMinor ?? null;

export interface Scorecard {
  marketing: Tile[];
  sales: Tile[];
  byLabel: Record<string, Tile>;
}

/** Both sides' scorecard: the tiles, and the same values for prose. */
export function scorecard(data: NotebookData): Scorecard {
  const { current: c, previous: p } = data;
  const acceptance = c.mql_acceptance?.[0];
  const response = c.response_time?.[0];
  const marketing = [
    valueTile({ label: 'MQLs delivered', kpi: 'funnel', side: 'marketing', better: 'up', kind: 'count' }, stageCount(c, 'mqls'), stageCount(p, 'mqls')),
    rateTile({ label: 'MQL → SQL acceptance', kpi: 'mql_acceptance', side: 'marketing', better: 'up' }, acceptance?.acceptance, p.mql_acceptance?.[0]?.acceptance),
    rateTile({ label: 'MQL precision (won)', kpi: 'mql_acceptance', side: 'marketing', better: 'up' }, acceptance?.precision, p.mql_acceptance?.[0]?.precision),
    valueTile({ label: 'New leads', kpi: 'funnel', side: 'marketing', better: 'up', kind: 'count' }, stageCount(c, 'leads'), stageCount(p, 'leads')),
  ];
  const sales = [
    rateTile(
      { label: 'Response within SLA', kpi: 'response_time', side: 'sales', better: 'up' },
      response?.withinSla,
      p.response_time?.[0]?.withinSla,
    ),
    valueTile(
      { label: 'Median first response', kpi: 'response_time', side: 'sales', better: 'down', kind: 'hours', note: 'business hours' },
      response?.p50BusinessHours,
      p.response_time?.[0]?.p50BusinessHours,
    ),
    rateTile({ label: 'Cadence compliance', kpi: 'cadence_compliance', side: 'sales', better: 'up' }, sumRates(c.cadence_compliance), sumRates(p.cadence_compliance)),
    valueTile({ label: 'Won revenue', kpi: 'funnel', side: 'shared', better: 'up', kind: 'money', note: `${formatCount(stageCount(c, 'won'))} deals` }, wonRevenue(c), wonRevenue(p)),
  ];
  const byLabel = Object.fromEntries([...marketing, ...sales].map((tile) => [tile.label, tile]));
  return { marketing, sales, byLabel };
}

export function scorecardCells(card: Scorecard): Cell[] {
  return [
    { kind: 'tiles', title: 'Marketing kept its word?', tiles: card.marketing },
    { kind: 'tiles', title: 'Sales kept its word?', tiles: card.sales },
  ];
}

function waitingSentence(waiting: number, handoffs: number): string {
  if (!waiting) return '';
  return ` ${formatCount(waiting)} of ${plural(handoffs, 'hand-off')} ${waiting === 1 ? 'is' : 'are'} still waiting for a first contact.`;
}

/** The opening paragraph: the numbers that matter, in words. */
export function summaryMarkdown(data: NotebookData, card: Scorecard, sides: { marketing: boolean; sales: boolean } = { marketing: true, sales: true }): string {
  const { current: c } = data;
  const t = card.byLabel;
  const acceptance = c.mql_acceptance?.[0];
  const response = c.response_time?.[0];
  const cadence = sumRates(c.cadence_compliance);
  // A rep's own view holds its rows and the team totals: count the totals only.
  const breaches = wholeOf(c.sla_breaches ?? []);
  const lines: string[] = [];
  if (sides.marketing) lines.push(
    `In **${data.period.label}** Marketing delivered **${plural(t['MQLs delivered']!.value ?? 0, 'MQL')}** (${data.comparison.label}: ${t['MQLs delivered']!.previousFormatted ?? '–'}). ` +
      `MQL → SQL acceptance ${changePhrase(t['MQL → SQL acceptance']!)}` +
      (acceptance ? ` (${formatCount(acceptance.acceptance.numerator)} of ${formatCount(acceptance.mqls)} accepted, ${formatCount(acceptance.rejection.numerator)} rejected, ${formatCount(acceptance.undecided)} undecided).` : '.'),
  );
  if (!sides.marketing) lines.push(`In **${data.period.label}**:`);
  if (response && sides.sales) {
    const sla = response.slaBusinessHours !== null ? `the SLA of ${formatHours(response.slaBusinessHours)} in business hours` : 'the SLA';
    lines.push(
      `Sales answered **${formatPercent(response.withinSla.rate)}** of hand-offs within ${sla} (${formatCount(response.withinSla.numerator)} of ${formatCount(response.withinSla.denominator)}; ` +
        `${data.comparison.label}: ${t['Response within SLA']!.previousFormatted ?? '–'}), with a median first response of ${formatHours(response.p50BusinessHours)} in business hours` +
        ` (${formatHours(response.p50Hours)} on the clock).` +
        waitingSentence(response.waitingForContact, response.handoffs),
    );
  }
  if (cadence && sides.sales) {
    lines.push(`Cadence compliance ${changePhrase(t['Cadence compliance']!)} (${formatCount(cadence.numerator)} of ${formatCount(cadence.denominator)} attempts without a cadence flag).`);
  }
  const won = c.funnel?.find((row) => row.stage === 'won');
  if (won) lines.push(`${formatCount(won.count)} ${won.count === 1 ? 'deal was' : 'deals were'} won for ${formatMoney(won.revenueMinor ?? 0)}.`);
  if (c.sla_breaches) {
    const total = breaches.reduce((sum, row) => sum + row.breaches, 0);
    const open = breaches.reduce((sum, row) => sum + row.open, 0);
    lines.push(`${formatCount(total)} SLA ${total === 1 ? 'breach was' : 'breaches were'} recorded in the period; ${formatCount(open)} ${open === 1 ? 'is' : 'are'} still open.`);
  }
  return lines.join(' ');
}
