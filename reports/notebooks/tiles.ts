import type { KpiId } from '../kpis/catalogue';
import type { Rate } from '../kpis/types';
import { formatCount, formatHours, formatMoney, formatPercent } from '../format';
import type { Side, Tile } from './types';

type Better = 'up' | 'down';

interface TileInput {
  label: string;
  kpi: KpiId;
  side: Side;
  better: Better;
  note?: string;
}

function trendOf(delta: number | null, epsilon: number): Tile['trend'] {
  if (delta === null) return null;
  if (Math.abs(delta) < epsilon) return 'flat';
  return delta > 0 ? 'up' : 'down';
}

function judge(trend: Tile['trend'], better: Better): boolean | null {
  if (trend === null || trend === 'flat') return null;
  return trend === better;
}

/** A rate tile: the change is in percentage points. */
export function rateTile(input: TileInput, current: Rate | undefined, previous: Rate | undefined): Tile {
  const value = current?.rate ?? null;
  const before = previous?.rate ?? null;
  const delta = value !== null && before !== null ? value - before : null;
  const trend = trendOf(delta, 0.0005);
  return {
    label: input.label,
    kpi: input.kpi,
    side: input.side,
    value,
    formatted: formatPercent(value),
    previous: before,
    previousFormatted: before === null ? null : formatPercent(before),
    delta,
    deltaFormatted: delta === null ? null : trend === 'flat' ? 'no change' : `${delta >= 0 ? '+' : '−'}${Math.abs(Math.round(delta * 1000) / 10).toFixed(1)} pts`,
    trend,
    good: judge(trend, input.better),
    numerator: current?.numerator ?? null,
    denominator: current?.denominator ?? null,
    note: input.note ?? (current ? `${formatCount(current.numerator)} of ${formatCount(current.denominator)}` : null),
  };
}

type Kind = 'count' | 'hours' | 'money';
const formatters: Record<Kind, (value: number | null) => string> = {
  count: formatCount,
  hours: formatHours,
  money: (value) => formatMoney(value),
};

/** A number tile: the change is absolute, with the relative change for counts and money. */
export function valueTile(input: TileInput & { kind: Kind }, current: number | null | undefined, previous: number | null | undefined): Tile {
  const value = current ?? null;
  const before = previous ?? null;
  const delta = value !== null && before !== null ? value - before : null;
  const trend = trendOf(delta, input.kind === 'hours' ? 0.05 : 0.5);
  const format = formatters[input.kind];
  let deltaFormatted: string | null = null;
  if (delta !== null && trend === 'flat') {
    deltaFormatted = 'no change';
  } else if (delta !== null) {
    const sign = delta >= 0 ? '+' : '−';
    const absolute = format(Math.abs(delta));
    const share = before ? Math.abs(delta / before) * 100 : null;
    // One decimal below 1%, so a small change does not read as "0%".
    const relative = input.kind !== 'hours' && share !== null ? ` (${sign}${share < 1 ? share.toFixed(1) : Math.round(share)}%)` : '';
    deltaFormatted = `${sign}${absolute}${relative}`;
  }
  return {
    label: input.label,
    kpi: input.kpi,
    side: input.side,
    value,
    formatted: format(value),
    previous: before,
    previousFormatted: before === null ? null : format(before),
    delta,
    deltaFormatted,
    trend,
    good: judge(trend, input.better),
    numerator: null,
    denominator: null,
    note: input.note ?? null,
  };
}

/** "fell from 41% to 33%", "rose from 2.5 h to 4 h", "held at 12" — the words a tile's change reads as. */
export function changePhrase(tile: Tile): string {
  if (tile.previousFormatted === null || tile.trend === null) return `was ${tile.formatted}`;
  if (tile.trend === 'flat') return `held at ${tile.formatted}`;
  const verb = tile.trend === 'up' ? 'rose' : 'fell';
  // "fell from 37% to 37%" says nothing: name the change itself when rounding hides it.
  if (tile.formatted === tile.previousFormatted) return `${verb} slightly (${tile.deltaFormatted}) to ${tile.formatted}`;
  return `${verb} from ${tile.previousFormatted} to ${tile.formatted}`;
}
