// How numbers read in prose, tiles and tables. One formatter per kind, used everywhere.

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const SHORT = MONTHS.map((m) => m.slice(0, 3));

export function formatCount(value: number | null): string {
  return value === null ? '–' : Math.round(value).toLocaleString('en-US');
}

export function formatPercent(rate: number | null): string {
  if (rate === null) return '–';
  const pct = rate * 100;
  // Whole percents read best; keep one decimal only where rounding would hide a small value.
  return pct !== 0 && Math.abs(pct) < 10 && Math.round(pct) !== pct ? `${pct.toFixed(1)}%` : `${Math.round(pct)}%`;
}

export function formatHours(hours: number | null): string {
  if (hours === null) return '–';
  if (hours < 10) return `${(Math.round(hours * 10) / 10).toLocaleString('en-US')} h`;
  if (hours < 72) return `${Math.round(hours)} h`;
  return `${(Math.round((hours / 24) * 10) / 10).toLocaleString('en-US')} days`;
}

export function formatMoney(minor: number | null, currency = 'USD'): string {
  if (minor === null) return '–';
  return (minor / 100).toLocaleString('en-US', { style: 'currency', currency, maximumFractionDigits: 0 });
}

export function formatDecimal(value: number | null): string {
  return value === null ? '–' : (Math.round(value * 100) / 100).toLocaleString('en-US');
}

function parts(day: string) {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return { y, m, d };
}

export function isWholeMonth(from: string, to: string): boolean {
  const a = parts(from);
  const b = parts(to);
  const lastDay = new Date(Date.UTC(b.y, b.m, 0)).getUTCDate();
  return a.d === 1 && b.d === lastDay;
}

/** "January 2026", "Jan – Mar 2026", or "5 Jan – 18 Jan 2026". */
export function formatPeriod(from: string, to: string): string {
  const a = parts(from);
  const b = parts(to);
  if (isWholeMonth(from, to)) {
    if (a.y === b.y && a.m === b.m) return `${MONTHS[a.m - 1]} ${a.y}`;
    return a.y === b.y ? `${SHORT[a.m - 1]} – ${SHORT[b.m - 1]} ${b.y}` : `${SHORT[a.m - 1]} ${a.y} – ${SHORT[b.m - 1]} ${b.y}`;
  }
  const left = `${a.d} ${SHORT[a.m - 1]}${a.y === b.y ? '' : ` ${a.y}`}`;
  return from === to ? `${a.d} ${SHORT[a.m - 1]} ${a.y}` : `${left} – ${b.d} ${SHORT[b.m - 1]} ${b.y}`;
}

/** Text from the database, made inert for markdown and HTML (rep names, reason labels, goal names). */
export function mdText(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]()#+\-.!|~])/g, '\\$1');
}

/** "1 deal", "3 deals". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : pluralForm}`;
}
