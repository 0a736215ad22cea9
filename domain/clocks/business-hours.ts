import { DateTime } from 'luxon';

/** When the agreement's people work: weekly hours in a time zone, minus holidays. */
export interface BusinessCalendar {
  /** IANA zone, e.g. America/New_York. */
  timeZone: string;
  /** ISO weekday (1 = Monday … 7 = Sunday) with start/end minutes after local midnight. */
  hours: { weekday: number; startMinute: number; endMinute: number }[];
  /** Local calendar days (YYYY-MM-DD) that do not count. */
  holidays: string[];
}

const MAX_DAYS = 3_700;
const MINUTE = 60_000;

/** The working intervals of one local day, as real instants (DST-safe: built in the zone). */
function intervalsOn(day: DateTime, calendar: BusinessCalendar, holidays: Set<string>): [number, number][] {
  if (holidays.has(day.toISODate()!)) return [];
  return calendar.hours
    .filter((h) => h.weekday === day.weekday)
    .sort((a, b) => a.startMinute - b.startMinute)
    .map((h) => [wallClock(day, h.startMinute), wallClock(day, h.endMinute)] as [number, number]);
}

/** The instant the local clock shows `minutes` after midnight (not elapsed time: DST days differ). */
function wallClock(day: DateTime, minutes: number): number {
  if (minutes >= 1440) return day.plus({ days: 1 }).startOf('day').toMillis();
  return day.set({ hour: Math.floor(minutes / 60), minute: minutes % 60 }).toMillis();
}

function startOfLocalDay(at: Date, zone: string): DateTime {
  const local = DateTime.fromJSDate(at, { zone });
  if (!local.isValid) throw new RangeError(`invalid time zone ${zone}`);
  return local.startOf('day');
}

/**
 * The instant that is `minutes` business minutes after `start`. A clock started outside business
 * hours begins at the next opening. Holidays and weekends do not count.
 */
export function addBusinessMinutes(start: Date, minutes: number, calendar: BusinessCalendar): Date {
  if (minutes < 0) throw new RangeError('minutes must not be negative');
  if (calendar.hours.length === 0) throw new RangeError('the calendar has no business hours');
  const holidays = new Set(calendar.holidays);
  let remaining = minutes * MINUTE;
  let cursor = start.getTime();
  let day = startOfLocalDay(start, calendar.timeZone);
  for (let i = 0; i < MAX_DAYS; i++, day = day.plus({ days: 1 }).startOf('day')) {
    for (const [open, close] of intervalsOn(day, calendar, holidays)) {
      const from = Math.max(open, cursor);
      if (from >= close) continue;
      if (remaining <= close - from) return new Date(from + remaining);
      remaining -= close - from;
      cursor = close;
    }
  }
  throw new RangeError('no business hours within ten years');
}

/** Business minutes elapsed between two instants (0 when end is not after start). */
export function businessMinutesBetween(start: Date, end: Date, calendar: BusinessCalendar): number {
  if (end <= start) return 0;
  const holidays = new Set(calendar.holidays);
  let total = 0;
  const last = startOfLocalDay(end, calendar.timeZone);
  let day = startOfLocalDay(start, calendar.timeZone);
  for (let i = 0; i < MAX_DAYS && day <= last; i++, day = day.plus({ days: 1 }).startOf('day')) {
    for (const [open, close] of intervalsOn(day, calendar, holidays)) {
      const from = Math.max(open, start.getTime());
      const to = Math.min(close, end.getTime());
      if (to > from) total += to - from;
    }
  }
  return total / MINUTE;
}
