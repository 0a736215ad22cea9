// Business-minute arithmetic in the agreement's time zone, for SLA due times and cadence gaps.
// The seed needs it to decide which clocks were met or breached; it follows the agreement's
// business hours and holidays, with the zone offset taken from Intl (so DST is right).
import { DAY_MS, MINUTE_MS, isoDay } from './calendar';

export interface BusinessCalendar {
  timeZone: string;
  /** ISO weekday (1 = Monday … 7 = Sunday) → working windows in minutes since local midnight. */
  hours: ReadonlyMap<number, readonly (readonly [number, number])[]>;
  /** Local dates (YYYY-MM-DD) with no working hours. */
  holidays: ReadonlySet<string>;
}

export class BusinessClock {
  private readonly offsets = new Map<number, number>();
  private readonly formatter: Intl.DateTimeFormat;

  constructor(private readonly calendar: BusinessCalendar) {
    this.formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: calendar.timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
  }

  /** Zone offset at a UTC instant, cached per hour (offsets only change on the hour). */
  private offsetAt(utcMs: number): number {
    const hourKey = Math.floor(utcMs / 3_600_000);
    let offset = this.offsets.get(hourKey);
    if (offset === undefined) {
      const parts: Record<string, number> = {};
      for (const part of this.formatter.formatToParts(new Date(hourKey * 3_600_000))) {
        if (part.type !== 'literal') parts[part.type] = Number(part.value);
      }
      const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!);
      offset = wall - hourKey * 3_600_000;
      this.offsets.set(hourKey, offset);
    }
    return offset;
  }

  private toLocal(utcMs: number): number {
    return utcMs + this.offsetAt(utcMs);
  }

  private toUtc(localMs: number): number {
    return localMs - this.offsetAt(localMs - this.offsetAt(localMs));
  }

  private windows(localDay: number): readonly (readonly [number, number])[] {
    if (this.calendar.holidays.has(isoDay(localDay))) return [];
    const isoWeekday = ((new Date(localDay).getUTCDay() + 6) % 7) + 1;
    return this.calendar.hours.get(isoWeekday) ?? [];
  }

  /** The instant `minutes` business minutes after `startMs`. */
  addBusinessMinutes(startMs: number, minutes: number): number {
    if (minutes <= 0) return startMs;
    let local = this.toLocal(startMs);
    let remaining = minutes;
    for (let guard = 0; guard < 3660; guard++) {
      const day = Math.floor(local / DAY_MS) * DAY_MS;
      for (const [start, end] of this.windows(day)) {
        const windowEnd = day + end * MINUTE_MS;
        if (local >= windowEnd) continue;
        const from = Math.max(local, day + start * MINUTE_MS);
        const available = (windowEnd - from) / MINUTE_MS;
        if (remaining <= available) return this.toUtc(from + remaining * MINUTE_MS);
        remaining -= available;
        local = windowEnd;
      }
      local = day + DAY_MS;
    }
    throw new Error('business calendar has no working hours');
  }

  /** Business minutes between two instants (0 when b is not after a). */
  businessMinutesBetween(aMs: number, bMs: number): number {
    if (bMs <= aMs) return 0;
    let local = this.toLocal(aMs);
    const localEnd = this.toLocal(bMs);
    let total = 0;
    while (local < localEnd) {
      const day = Math.floor(local / DAY_MS) * DAY_MS;
      for (const [start, end] of this.windows(day)) {
        const from = Math.max(local, day + start * MINUTE_MS);
        const to = Math.min(localEnd, day + end * MINUTE_MS);
        if (to > from) total += (to - from) / MINUTE_MS;
      }
      local = day + DAY_MS;
    }
    return total;
  }
}

function nthWeekdayOfMonth(year: number, month: number, weekday: number, n: number): number {
  const first = Date.UTC(year, month - 1, 1);
  const shift = (weekday - new Date(first).getUTCDay() + 7) % 7;
  return first + (shift + (n - 1) * 7) * DAY_MS;
}

function lastWeekdayOfMonth(year: number, month: number, weekday: number): number {
  const last = Date.UTC(year, month, 0);
  const shift = (new Date(last).getUTCDay() - weekday + 7) % 7;
  return last - shift * DAY_MS;
}

/** The main US federal holidays of a year (actual dates, not observed ones). */
export function usHolidays(year: number): { day: string; name: string }[] {
  return [
    { day: isoDay(Date.UTC(year, 0, 1)), name: "New Year's Day" },
    { day: isoDay(lastWeekdayOfMonth(year, 5, 1)), name: 'Memorial Day' },
    { day: isoDay(Date.UTC(year, 6, 4)), name: 'Independence Day' },
    { day: isoDay(nthWeekdayOfMonth(year, 9, 1, 1)), name: 'Labor Day' },
    { day: isoDay(nthWeekdayOfMonth(year, 11, 4, 4)), name: 'Thanksgiving Day' },
    { day: isoDay(Date.UTC(year, 11, 25)), name: 'Christmas Day' },
  ];
}
