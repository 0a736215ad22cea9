import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { rows, type Db } from '../../db/client';
import { agreementRevisions } from '../../db/schema/index';
import { eq } from 'drizzle-orm';
import { NotFoundError, ValidationError } from '../errors';
import { parseInput } from '../validation';
import { fitAwards, interestAwards, loadRevisionRules, type RevisionRules } from './reconcile';

export interface BacktestFigures {
  revisionId: string;
  leads: number;
  /** Leads whose fit and interest would have met both thresholds at some point in the window. */
  mqls: number;
  /** Of those, leads that really reached SQL. */
  reachedSql: number;
  /** Of those, leads with a won opportunity. */
  won: number;
}

const windowSchema = z
  .object({ from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD'), to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD') })
  .refine((w) => w.from <= w.to, { message: 'the window ends before it starts', path: ['to'] });

/**
 * What a revision's rules would have done to the leads created in a window: apply its fit rules
 * to who they are and its interest rules to what they did up to the window's end; a lead "would
 * have become MQL" when, right after one of its awards, fit ≥ F and decayed interest ≥ I.
 */
async function figures(db: Db, rules: RevisionRules, agreementId: string, from: string, to: string): Promise<BacktestFigures> {
  const scope = sql`(select coalesce(array_agg(id), '{}') from leads where agreement_id = ${agreementId}::uuid and created_at >= (${from}::date)::timestamp at time zone 'UTC' and created_at < (${to}::date + 1)::timestamp at time zone 'UTC')`;
  const until = sql`(${to}::date + 1)::timestamp at time zone 'UTC'`;
  const [r] = await rows<{ leads: number; mqls: number; reached_sql: number; won: number }>(
    db,
    sql`with ids as (select ${scope} as ids),
      fit as (select lead_id, sum(points) as fit from (${fitAwards(rules, sql`(select ids from ids)::uuid[]`)}) f group by lead_id),
      aw as (select * from (${interestAwards(rules, sql`(select ids from ids)::uuid[]`)}) i where occurred_at < ${until}),
      peaks as (
        select a.lead_id, round(sum(b.points * case when b.decay_half_life_days is null then 1
            else power(0.5::float8, extract(epoch from a.occurred_at - b.occurred_at) / 86400.0 / b.decay_half_life_days) end)::numeric) as interest
        from aw a join aw b on b.lead_id = a.lead_id and (b.occurred_at, b.activity_id) <= (a.occurred_at, a.activity_id)
        group by a.lead_id, a.occurred_at, a.activity_id),
      best as (select lead_id, max(interest) as interest from peaks group by lead_id),
      scoped as (select unnest(ids) as id from ids),
      would as (
        select s.id from scoped s left join fit f on f.lead_id = s.id left join best b on b.lead_id = s.id
        where coalesce(f.fit, 0) >= ${rules.mqlFitThreshold} and coalesce(b.interest, 0) >= ${rules.mqlInterestThreshold})
      select (select count(*) from scoped)::int as leads,
        count(*)::int as mqls,
        count(*) filter (where exists (select 1 from stage_transitions t where t.lead_id = w.id and t.to_stage = 'sql'))::int as reached_sql,
        count(*) filter (where exists (select 1 from opportunities o where o.lead_id = w.id and o.status = 'won'))::int as won
      from would w`,
  );
  return { revisionId: rules.revisionId, leads: r!.leads, mqls: r!.mqls, reachedSql: r!.reached_sql, won: r!.won };
}

export async function backtestRevision(db: Db, input: { revisionId: string; from: string; to: string }) {
  const window = parseInput(windowSchema, { from: input.from, to: input.to });
  const [revision] = await db.select().from(agreementRevisions).where(eq(agreementRevisions.id, input.revisionId));
  if (!revision) throw new NotFoundError('AgreementRevision', input.revisionId);
  const [active] = await db
    .select()
    .from(agreementRevisions)
    .where(sql`${agreementRevisions.agreementId} = ${revision.agreementId} and ${agreementRevisions.status} = 'active'`);
  if (!active && revision.status !== 'active') throw new ValidationError([{ field: 'input.revisionId', message: 'the agreement has no active revision to compare with' }]);
  const candidate = await figures(db, await loadRevisionRules(db, revision.id), revision.agreementId, window.from, window.to);
  const current = active ? await figures(db, await loadRevisionRules(db, active.id), revision.agreementId, window.from, window.to) : null;
  return { from: window.from, to: window.to, candidate, active: current };
}
