import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client';
import { agreementRevisions, businessHours, holidays, slaAgreements } from '../../db/schema/index';
import { businessMinutesBetween, type BusinessCalendar } from '../../domain/clocks/business-hours';
import { businessMinutes } from '../../reports/kpis/sql';
import { openTestDatabase } from '../helpers/db';

// The KPIs count business minutes inside SQL (one statement for a million hand-offs); the clocks use
// domain/clocks/business-hours.ts. This pins the two to the same answers, DST and holidays included.
let database: Awaited<ReturnType<typeof openTestDatabase>>;
let revisionId: string;
const calendar: BusinessCalendar = {
  timeZone: 'America/New_York',
  hours: [
    ...[1, 2, 3, 4, 5].map((weekday) => ({ weekday, startMinute: 540, endMinute: 1020 })),
    { weekday: 6, startMinute: 600, endMinute: 720 },
    // A split day: Wednesday also works in the evening.
    { weekday: 3, startMinute: 1140, endMinute: 1260 },
  ],
  holidays: ['2026-03-09', '2026-11-02'],
};

beforeAll(async () => {
  database = await openTestDatabase();
  const [agreement] = await database.db.insert(slaAgreements).values({ name: 'BH' }).returning();
  const [revision] = await database.db.insert(agreementRevisions).values({ agreementId: agreement!.id, number: 1, timeZone: calendar.timeZone }).returning();
  revisionId = revision!.id;
  await database.db.insert(businessHours).values(calendar.hours.map((h) => ({ revisionId, ...h })));
  await database.db.insert(holidays).values(calendar.holidays.map((day) => ({ revisionId, day, name: 'holiday' })));
});
afterAll(async () => {
  await database?.dispose();
});

/** A small deterministic PRNG (mulberry32): the same intervals on every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('business minutes in SQL', () => {
  it('equal domain/clocks/business-hours.ts on 300 random intervals around DST changes and holidays', async () => {
    const next = random(20260308);
    // Around the spring (8 Mar) and autumn (1 Nov) DST changes of 2026, up to 9 days long.
    const intervals = Array.from({ length: 300 }, (_, i) => {
      const base = Date.parse(i % 2 ? '2026-03-01T00:00:00Z' : '2026-10-25T00:00:00Z');
      const start = base + Math.floor(next() * 14 * 24 * 60) * 60_000;
      return { start: new Date(start), end: new Date(start + Math.floor(next() * 9 * 24 * 60) * 60_000) };
    });
    const values = sql.join(
      intervals.map((iv, i) => sql`(${i}::int, ${iv.start.toISOString()}::timestamptz, ${iv.end.toISOString()}::timestamptz)`),
      sql`, `,
    );
    const result = await rows<{ i: number; minutes: string | number }>(
      database.db,
      sql`select v.i, ${businessMinutes(sql`v.s`, sql`v.e`, sql`${revisionId}::uuid`, sql`${calendar.timeZone}::text`)} as minutes
          from (values ${values}) as v(i, s, e) order by v.i`,
    );
    for (const row of result) {
      const iv = intervals[Number(row.i)]!;
      expect(Number(row.minutes), `${iv.start.toISOString()} → ${iv.end.toISOString()}`).toBeCloseTo(businessMinutesBetween(iv.start, iv.end, calendar), 6);
    }
  });

  it('counts wall-clock minutes for a revision without business hours', async () => {
    const [row] = await rows<{ minutes: string | number }>(
      database.db,
      sql`select ${businessMinutes(sql`'2026-01-01T10:00:00Z'::timestamptz`, sql`'2026-01-02T10:30:00Z'::timestamptz`, sql`gen_random_uuid()`, sql`'UTC'::text`)} as minutes`,
    );
    expect(Number(row!.minutes)).toBe(24 * 60 + 30);
  });
});
