import { sql, type SQL } from 'drizzle-orm';
import { rows, type DbOrTx } from '../../db/client';
import type { FunnelRates } from './reverse-funnel';

/** Funnel counts of one period: what happened between `from` and `to` (dates, both included). */
export interface FunnelCounts {
  visitors: number;
  leads: number;
  mqls: number;
  sqls: number;
  opportunities: number;
  wonDeals: number;
  revenueMinor: number;
}

/**
 * The funnel counts of a window as select-list columns: every step counted on its own event time
 * within [from, until): visitors from daily traffic (UTC days), leads by creation, MQLs and SQLs as
 * leads entering the stage (a lead counts once per stage per window), opportunities by creation,
 * won deals and revenue by close. `inScope` limits leads (alias l), e.g. to an agreement. This is
 * the one definition both the goals API and the goal reports use.
 */
export function funnelCountColumns(from: SQL, until: SQL, inScope: SQL, prefix = ''): SQL {
  const p = (name: string) => sql.raw(`"${prefix}${name}"`);
  return sql`
    (select coalesce(sum(t.visitors), 0) from daily_traffic t
      where t.day >= (${from} at time zone 'UTC')::date and t.day < (${until} at time zone 'UTC')::date)::bigint as ${p('visitors')},
    (select count(*) from leads l where ${inScope} and l.created_at >= ${from} and l.created_at < ${until}) as ${p('leads')},
    (select count(distinct st.lead_id) from stage_transitions st join leads l on l.id = st.lead_id
      where ${inScope} and st.to_stage = 'mql' and st.occurred_at >= ${from} and st.occurred_at < ${until}) as ${p('mqls')},
    (select count(distinct st.lead_id) from stage_transitions st join leads l on l.id = st.lead_id
      where ${inScope} and st.to_stage = 'sql' and st.occurred_at >= ${from} and st.occurred_at < ${until}) as ${p('sqls')},
    (select count(*) from opportunities o join leads l on l.id = o.lead_id
      where ${inScope} and o.created_at >= ${from} and o.created_at < ${until}) as ${p('opportunities')},
    (select count(*) from opportunities o join leads l on l.id = o.lead_id
      where ${inScope} and o.status = 'won' and o.closed_at >= ${from} and o.closed_at < ${until}) as ${p('wonDeals')},
    (select coalesce(sum(o.amount_minor), 0) from opportunities o join leads l on l.id = o.lead_id
      where ${inScope} and o.status = 'won' and o.closed_at >= ${from} and o.closed_at < ${until})::bigint as ${p('revenueMinor')}`;
}

/**
 * Funnel counts of the days `from` to `to` (both included, UTC), in one statement; or, with `until`,
 * from `from` up to that instant (excluded): a goal's actuals as of an instant.
 */
export async function measureFunnel(
  db: DbOrTx,
  range: { from: string; to?: string; until?: Date; agreementId?: string | null },
): Promise<FunnelCounts> {
  const from = sql`(${range.from}::date)::timestamp at time zone 'UTC'`;
  const until = range.until ? sql`${range.until.toISOString()}::timestamptz` : sql`(${range.to}::date + 1)::timestamp at time zone 'UTC'`;
  const inScope = range.agreementId ? sql`l.agreement_id = ${range.agreementId}::uuid` : sql`true`;
  const [row] = await rows<Record<keyof FunnelCounts, string | number>>(db, sql`select ${funnelCountColumns(from, until, inScope)}`);
  return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)])) as unknown as FunnelCounts;
}

/** A rate with what it was computed from; null when nothing was there to convert. */
export interface MeasuredRate {
  rate: number | null;
  numerator: number;
  denominator: number;
}

export type HistoricalRates = Record<keyof FunnelRates, MeasuredRate>;

const ratio = (numerator: number, denominator: number): MeasuredRate => ({
  numerator,
  denominator,
  rate: denominator > 0 ? Math.min(1, numerator / denominator) : null,
});

/** Stage-to-stage rates measured over a window: each step's count over the step before it. */
export function ratesFrom(counts: FunnelCounts): HistoricalRates {
  return {
    visitorToLead: ratio(counts.leads, counts.visitors),
    leadToMql: ratio(counts.mqls, counts.leads),
    mqlToSql: ratio(counts.sqls, counts.mqls),
    sqlToOpportunity: ratio(counts.opportunities, counts.sqls),
    winRate: ratio(counts.wonDeals, counts.opportunities),
  };
}

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The look-back window ending the day before `asOf`. */
export function lookbackWindow(asOf: Date, days: number): { from: string; to: string } {
  const to = new Date(Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth(), asOf.getUTCDate()) - 86_400_000);
  const from = new Date(to.getTime() - (days - 1) * 86_400_000);
  return { from: isoDay(from), to: isoDay(to) };
}
