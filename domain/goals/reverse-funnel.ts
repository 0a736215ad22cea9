import type { GoalMetric } from '../../db/schema/enums';

/** Stage-to-stage conversion rates, each in (0, 1]. */
export interface FunnelRates {
  visitorToLead: number;
  leadToMql: number;
  mqlToSql: number;
  sqlToOpportunity: number;
  /** opportunity → won deal */
  winRate: number;
}

/** What a goal needs at every step of the funnel, top to bottom. */
export interface FunnelNeeds {
  revenueMinor: number | null;
  wonDeals: number;
  opportunities: number;
  sqls: number;
  mqls: number;
  leads: number;
  visitors: number;
}

const PPM = 1_000_000n;

/** Rates are stored with six decimals; working in parts per million keeps the rounding exact. */
function toPpm(rate: number, name: string): bigint {
  const ppm = BigInt(Math.round(rate * 1_000_000));
  if (ppm <= 0n || ppm > PPM) throw new RangeError(`${name} must be in (0, 1], got ${rate}`);
  return ppm;
}

/** ceil(count / rate), exactly. */
function needBefore(count: bigint, ratePpm: bigint): bigint {
  return (count * PPM + ratePpm - 1n) / ratePpm;
}

const steps = ['revenue', 'wonDeals', 'opportunities', 'sqls', 'mqls', 'leads', 'visitors'] as const;

const metricStep: Record<GoalMetric, (typeof steps)[number]> = {
  new_revenue: 'revenue',
  won_deals: 'wonDeals',
  opportunities: 'opportunities',
  sqls: 'sqls',
  mqls: 'mqls',
  leads: 'leads',
  visitors: 'visitors',
};

/**
 * The reverse funnel: from a target back to visitors, rounding up at every step.
 * $1,000,000 at $20,000 a deal, 25% / 50% / 40% / 20% / 2% → 50, 200, 400, 1,000, 5,000, 250,000.
 * Steps above the goal's metric are null/0-free: a goal of 1,000 MQLs needs no deals.
 */
export function reverseFunnel(
  goal: { metric: GoalMetric; target: number; averageDealSizeMinor?: number | null },
  rates: FunnelRates,
): FunnelNeeds {
  if (!Number.isSafeInteger(goal.target) || goal.target <= 0) throw new RangeError('target must be a positive integer');
  const start = steps.indexOf(metricStep[goal.metric]);
  const ppm = {
    wonDeals: toPpm(rates.winRate, 'winRate'),
    opportunities: toPpm(rates.sqlToOpportunity, 'sqlToOpportunity'),
    sqls: toPpm(rates.mqlToSql, 'mqlToSql'),
    mqls: toPpm(rates.leadToMql, 'leadToMql'),
    leads: toPpm(rates.visitorToLead, 'visitorToLead'),
  };
  const needs: Record<(typeof steps)[number], bigint> = {
    revenue: 0n,
    wonDeals: 0n,
    opportunities: 0n,
    sqls: 0n,
    mqls: 0n,
    leads: 0n,
    visitors: 0n,
  };
  needs[steps[start]!] = BigInt(goal.target);
  for (let i = start + 1; i < steps.length; i++) {
    const step = steps[i]!;
    const above = needs[steps[i - 1]!];
    if (step === 'wonDeals') {
      const deal = goal.averageDealSizeMinor;
      if (!deal || deal <= 0) throw new RangeError('a revenue goal needs a positive average deal size');
      needs.wonDeals = (above + BigInt(deal) - 1n) / BigInt(deal);
    } else if (step === 'opportunities') needs.opportunities = needBefore(above, ppm.wonDeals);
    else if (step === 'sqls') needs.sqls = needBefore(above, ppm.opportunities);
    else if (step === 'mqls') needs.mqls = needBefore(above, ppm.sqls);
    else if (step === 'leads') needs.leads = needBefore(above, ppm.mqls);
    else needs.visitors = needBefore(above, ppm.leads);
  }
  return {
    revenueMinor: start === 0 ? goal.target : null,
    wonDeals: Number(needs.wonDeals),
    opportunities: Number(needs.opportunities),
    sqls: Number(needs.sqls),
    mqls: Number(needs.mqls),
    leads: Number(needs.leads),
    visitors: Number(needs.visitors),
  };
}

export interface Pacing {
  /** Share of the period elapsed, 0–1 (calendar days, inclusive of both ends). */
  elapsedShare: number;
  neededToDate: number;
  actualToDate: number;
  /** actual / needed-to-date; null before the period starts. */
  paceRatio: number | null;
  /** Linear projection of the actual to the period's end. */
  projectedAtEnd: number;
  onTrack: boolean;
}

const DAY = 86_400_000;

/** Pacing of one funnel step: actual to date vs the share of the target the elapsed days call for. */
export function pacing(target: number, actualToDate: number, periodStart: string, periodEnd: string, asOf: Date): Pacing {
  const start = Date.parse(`${periodStart}T00:00:00Z`);
  const end = Date.parse(`${periodEnd}T00:00:00Z`) + DAY;
  const now = Math.min(Math.max(asOf.getTime(), start), end);
  const elapsedShare = (now - start) / (end - start);
  const neededToDate = Math.ceil(target * elapsedShare);
  return {
    elapsedShare,
    neededToDate,
    actualToDate,
    paceRatio: neededToDate > 0 ? actualToDate / neededToDate : null,
    projectedAtEnd: elapsedShare > 0 ? Math.round(actualToDate / elapsedShare) : 0,
    onTrack: actualToDate >= neededToDate,
  };
}
