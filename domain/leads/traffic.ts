import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { parseInput } from '../validation';

const daySchema = z.object({
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD'),
  source: z.string().trim().toLowerCase().regex(/^[a-z][a-z0-9_]{0,62}$/, 'a source key such as organic_search'),
  visitors: z.number().int('a whole number').min(0, 'at least 0').max(1_000_000_000),
});

/** Upserts daily visitor counts; sending a day and source again replaces its count. */
export async function recordDailyTraffic(db: Db, input: unknown): Promise<number> {
  const days = parseInput(
    z
      .array(daySchema)
      .min(1, 'send at least one day')
      .max(10_000)
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        list.forEach((d, i) => {
          const key = `${d.day}/${d.source}`;
          if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'day'], message: `${d.day} for ${d.source} appears twice` });
          seen.add(key);
        });
      }),
    input,
    'input.days',
  );
  const values = days.map((d) => sql`(${d.day}::date, ${d.source}, ${d.visitors})`);
  await db.transaction(async (tx) => {
    await tx.execute(sql`insert into daily_traffic (day, source, visitors) values ${sql.join(values, sql`, `)}
      on conflict (day, source) do update set visitors = excluded.visitors, updated_at = now()`);
  });
  return days.length;
}
