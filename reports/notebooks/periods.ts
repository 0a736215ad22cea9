import { isWholeMonth } from '../format';

const DAY_MS = 86_400_000;

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const ms = (day: string) => Date.parse(`${day}T00:00:00Z`);

export function addDays(day: string, days: number): string {
  return iso(ms(day) + days * DAY_MS);
}

function monthStart(day: string, monthsBack = 0): string {
  const d = new Date(ms(day));
  return iso(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - monthsBack, 1));
}

function monthEnd(day: string): string {
  const d = new Date(ms(day));
  return iso(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0));
}

/** The last calendar month that has fully ended (UTC) before `now`. */
export function lastFullMonth(now: Date): { from: string; to: string } {
  const today = iso(now.getTime());
  const from = monthStart(today, 1);
  return { from, to: monthEnd(from) };
}

/**
 * The period just before, same length. A period of whole calendar months compares with the same
 * number of whole months before it (February against January, not against 4–31 January).
 */
export function previousPeriod(from: string, to: string): { from: string; to: string } {
  if (isWholeMonth(from, to)) {
    const a = new Date(ms(from));
    const b = new Date(ms(to));
    const months = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth() + 1;
    const start = monthStart(from, months);
    return { from: start, to: addDays(from, -1) };
  }
  const days = Math.round((ms(to) - ms(from)) / DAY_MS) + 1;
  return { from: addDays(from, -days), to: addDays(from, -1) };
}

/** The trend charts' window: the six calendar months ending with the period (monthly buckets). */
export function trendWindow(from: string, to: string): { from: string; to: string } {
  return { from: monthStart(from, 5), to };
}
