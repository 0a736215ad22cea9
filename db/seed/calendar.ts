// When things happen: seasonality (quiet summer weeks and late December, busy Q1 and September),
// the weekday effect and working hours. Leads, activities and traffic all draw from this so their
// curves line up in the reports.
import { Random, WeightedTable } from './random';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The 12 months of history end at `now` (exclusive). */
export const HISTORY_DAYS = 365;

export function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

const dayPrefixes = new Map<number, string>();
const pad2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const pad3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** YYYY-MM-DD of a UTC instant (cached per day: called for millions of timestamps). */
export function isoDay(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 10);
    dayPrefixes.set(day, prefix);
  }
  return prefix;
}

/** Same text as Date#toISOString, without allocating a Date: most of the seed's output is timestamps. */
export function isoTime(ms: number): string {
  const whole = Math.floor(ms);
  let rest = whole - Math.floor(whole / DAY_MS) * DAY_MS;
  const hours = Math.floor(rest / HOUR_MS);
  rest -= hours * HOUR_MS;
  const minutes = Math.floor(rest / MINUTE_MS);
  rest -= minutes * MINUTE_MS;
  const seconds = Math.floor(rest / 1000);
  return `${isoDay(whole)}T${pad2[hours]}:${pad2[minutes]}:${pad2[seconds]}.${pad3[rest - seconds * 1000]}Z`;
}

/** Month (1–12) and day of month of a UTC instant, cheaply. */
function monthDay(ms: number): { month: number; day: number } {
  const date = new Date(ms);
  return { month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

// B2B demand by month: budgets open in Q1, summer is slow, September is back-to-school busy.
const monthFactors = [0, 1.18, 1.2, 1.15, 1.02, 0.98, 0.86, 0.72, 0.76, 1.22, 1.1, 1.04, 0.9];

export function seasonalFactor(ms: number): number {
  const { month, day } = monthDay(ms);
  if (month === 12 && day >= 20) return 0.42; // holidays: almost nobody buys software
  if (month === 1 && day <= 3) return 0.55;
  if (month === 11 && day >= 22 && day <= 29) return 0.8; // Thanksgiving week
  return monthFactors[month]!;
}

// Sunday = 0 as in Date#getUTCDay.
const weekdayFactors = [0.28, 1.08, 1.15, 1.12, 1.04, 0.84, 0.32];

export function weekdayFactor(ms: number): number {
  return weekdayFactors[new Date(ms).getUTCDay()]!;
}

export function demandFactor(ms: number): number {
  return seasonalFactor(ms) * weekdayFactor(ms);
}

const maxDemand = Math.max(...monthFactors) * Math.max(...weekdayFactors);

// Working-hour skew in UTC: Europe in the morning, the Americas from 13:00 UTC on.
const hourWeights = [
  1.2, 0.8, 0.5, 0.35, 0.3, 0.35, 0.6, 1.2, 2.2, 2.8, 3.0, 3.0, 3.2, 4.6, 5.6, 6.0, 6.0, 5.8, 5.2, 4.6, 4.0, 3.2, 2.4, 1.7,
];
const hourTable = new WeightedTable(
  hourWeights.map((_, hour) => hour),
  hourWeights,
);

/** A time of day (ms since midnight UTC) that follows working hours. */
export function sampleTimeOfDay(rng: Random): number {
  return hourTable.pick(rng) * HOUR_MS + Math.floor(rng.next() * HOUR_MS);
}

/**
 * A moment in [from, to) that respects seasonality, weekdays and working hours: a uniform day is
 * kept with probability demand/maxDemand (a few tries, then whatever came last).
 */
export function sampleMoment(rng: Random, from: number, to: number): number {
  if (to <= from) return from;
  let candidate = from;
  for (let attempt = 0; attempt < 6; attempt++) {
    candidate = from + rng.next() * (to - from);
    if (rng.next() * maxDemand < demandFactor(candidate)) break;
  }
  const day = startOfUtcDay(candidate);
  const moment = day + sampleTimeOfDay(rng);
  return Math.min(Math.max(moment, from), to - 1);
}

/**
 * The 365 history days with their relative lead volume (seasonality × weekday × a gentle growth
 * trend × day-to-day noise). Leads are allocated to days by stratified quantiles, so the volume
 * per day follows these weights exactly rather than by chance.
 */
export class HistoryCalendar {
  readonly days: number[] = [];
  readonly weights: number[] = [];
  private readonly table: WeightedTable<number>;
  readonly totalWeight: number;

  constructor(
    readonly now: number,
    rng: Random,
  ) {
    const lastDay = startOfUtcDay(now) - DAY_MS;
    for (let i = HISTORY_DAYS - 1; i >= 0; i--) {
      const day = lastDay - i * DAY_MS;
      const progress = (HISTORY_DAYS - 1 - i) / (HISTORY_DAYS - 1);
      const trend = 0.9 + 0.2 * progress; // marketing grows its reach over the year
      const noise = Math.exp(rng.normal(0, 0.08));
      this.days.push(day);
      this.weights.push(demandFactor(day) * trend * noise);
    }
    this.table = new WeightedTable(this.days, this.weights);
    this.totalWeight = this.weights.reduce((sum, weight) => sum + weight, 0);
  }

  get firstDay(): number {
    return this.days[0]!;
  }

  /** The creation day of the i-th of n leads (ascending). */
  dayForLead(index: number, count: number, jitter: number): number {
    return this.table.quantile((index + jitter) / count);
  }
}
