import { describe, expect, it } from 'vitest';
import { BusinessClock } from '../../db/seed/business-time';
import { addBusinessMinutes, businessMinutesBetween, type BusinessCalendar } from '../../domain/clocks/business-hours';

const nineToFive = (timeZone: string, holidays: string[] = []): BusinessCalendar => ({
  timeZone,
  hours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, startMinute: 9 * 60, endMinute: 17 * 60 })),
  holidays,
});

describe('business-hours clocks', () => {
  it('a hand-off on Friday 16:00 with a 4-business-hour SLA is due Monday 12:00 local', () => {
    // 2026-11-27 is a Friday; Paris is UTC+1 in November.
    const due = addBusinessMinutes(new Date('2026-11-27T15:00:00Z'), 240, nineToFive('Europe/Paris'));
    expect(due.toISOString()).toBe('2026-11-30T11:00:00.000Z'); // Monday 12:00 in Paris
  });

  it('counts across a daylight-saving change', () => {
    // New York springs forward on Sunday 2026-03-08: Friday 16:00 EST = 21:00Z, Monday 12:00 EDT = 16:00Z.
    const cal = nineToFive('America/New_York');
    const due = addBusinessMinutes(new Date('2026-03-06T21:00:00Z'), 240, cal);
    expect(due.toISOString()).toBe('2026-03-09T16:00:00.000Z');
    expect(businessMinutesBetween(new Date('2026-03-06T21:00:00Z'), due, cal)).toBe(240);
    // and back: 2026-11-01 falls back; Friday 2026-10-30 16:00 EDT = 20:00Z → Monday 12:00 EST = 17:00Z
    expect(addBusinessMinutes(new Date('2026-10-30T20:00:00Z'), 240, cal).toISOString()).toBe('2026-11-02T17:00:00.000Z');
  });

  it('opens at the wall-clock hour on a daylight-saving day that is a business day', () => {
    // New York springs forward at 02:00 on Sunday 2026-03-08: a Sunday 09:00 opening is 13:00Z, not 14:00Z.
    const sundays: BusinessCalendar = { timeZone: 'America/New_York', hours: [{ weekday: 7, startMinute: 540, endMinute: 1020 }], holidays: [] };
    expect(addBusinessMinutes(new Date('2026-03-07T17:00:00Z'), 60, sundays).toISOString()).toBe('2026-03-08T14:00:00.000Z');
    expect(businessMinutesBetween(new Date('2026-03-08T00:00:00Z'), new Date('2026-03-09T00:00:00Z'), sundays)).toBe(480);
  });

  it('skips holidays', () => {
    // Monday 2026-12-28 is a holiday: Friday 16:00 + 4h → Tuesday 12:00 (UTC zone).
    const due = addBusinessMinutes(new Date('2026-12-25T16:00:00Z'), 240, nineToFive('UTC', ['2026-12-28']));
    expect(due.toISOString()).toBe('2026-12-29T12:00:00.000Z');
  });

  it('starts a clock set outside hours at the next opening', () => {
    const due = addBusinessMinutes(new Date('2026-11-28T10:00:00Z'), 30, nineToFive('UTC')); // Saturday
    expect(due.toISOString()).toBe('2026-11-30T09:30:00.000Z');
    expect(businessMinutesBetween(new Date('2026-11-28T10:00:00Z'), new Date('2026-11-30T09:30:00Z'), nineToFive('UTC'))).toBe(30);
  });

  it('splits days with a lunch break', () => {
    const cal: BusinessCalendar = {
      timeZone: 'UTC',
      hours: [{ weekday: 1, startMinute: 540, endMinute: 720 }, { weekday: 1, startMinute: 780, endMinute: 1020 }],
      holidays: [],
    };
    expect(addBusinessMinutes(new Date('2026-11-30T11:00:00Z'), 120, cal).toISOString()).toBe('2026-11-30T14:00:00.000Z');
  });
});

describe('the demo seed’s fast business clock', () => {
  it('agrees with the domain clock on 2,000 random cases across DST changes and holidays', () => {
    const holidays = ['2026-01-01', '2026-05-25', '2026-07-03', '2026-11-26', '2026-12-25'];
    const cal = { ...nineToFive('America/New_York', holidays), hours: [...nineToFive('UTC').hours, { weekday: 6, startMinute: 600, endMinute: 780 }] };
    const fast = new BusinessClock({
      timeZone: cal.timeZone,
      hours: new Map([1, 2, 3, 4, 5, 6].map((d) => [d, cal.hours.filter((h) => h.weekday === d).map((h) => [h.startMinute, h.endMinute] as const)])),
      holidays: new Set(holidays),
    });
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 2_000; i++) {
      const start = new Date(Date.UTC(2026, 0, 1) + Math.floor(random() * 360 * 86_400_000));
      const minutes = 1 + Math.floor(random() * 3_000);
      const due = addBusinessMinutes(start, minutes, cal);
      expect(fast.addBusinessMinutes(start.getTime(), minutes)).toBe(due.getTime());
      expect(fast.businessMinutesBetween(start.getTime(), due.getTime())).toBeCloseTo(businessMinutesBetween(start, due, cal), 6);
    }
  });
});
