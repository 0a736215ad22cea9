import { sql } from 'drizzle-orm';
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
 * One statement for every step, each counted on its own event time within [from, to + 1 day):
 * visitors from daily traffic, leads by creation, MQLs and SQLs as leads entering the stage
 * (a lead counts once per stage per period), opportunities by creation, won deals and revenue by
 * close. Leads, stages and deals are limited to the agreement's leads when one is given.
 */
export async function measureFunnel(db: DbOrTx, range: { from: string; to: string; agreementId?: string | null }): Promise<FunnelCounts> {
  const from = sql`${range.from}::date`;
  const until = sql`(${range.to}::date + 1)`;
  const inAgreement = range.agreementId ? sql`l.agreement_id = ${range.agreementId}::uuid` : sql`true`;
  const [row] = await rows<Record<keyof FunnelCounts, string | number>>(
    db,
    sql`
      select
        (select coalesce(sum(visitors), 0) from daily_traffic where day >= ${from} and day < ${until}) as "visitors",
        (select count(*) from leads l where l.created_at >= ${from} and l.created_at < ${until} and ${inAgreement}) as "leads",
        (select count(distinct t.lead_id) from stage_transitions t join leads l on l.id = t.lead_id
          where t.to_stage = 'mql' and t.occurred_at >= ${from} and t.occurred_at < ${until} and ${inAgreement}) as "mqls",
        (select count(distinct t.lead_id) from stage_transitions t join leads l on l.id = t.lead_id
          where t.to_stage = 'sql' and t.occurred_at >= ${from} and t.occurred_at < ${until} and ${inAgreement}) as "sqls",
        (select count(*) from opportunities o join leads l on l.id = o.lead_id
          where o.created_at >= ${from} and o.created_at < ${until} and ${inAgreement}) as "opportunities",
        (select count(*) from opportunities o join leads l on l.id = o.lead_id
          where o.status = 'won' and o.closed_at >= ${from} and o.closed_at < ${until} and ${inAgreement}) as "wonDeals",
        (select coalesce(sum(o.amount_minor), 0) from opportunities o join leads l on l.id = o.lead_id
          where o.status = 'won' and o.closed_at >= ${from} and o.closed_at < ${until} and ${inAgreement}) as "revenueMinor"
    `,
  );
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
