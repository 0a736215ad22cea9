import { measureFunnel, lookbackWindow, ratesFrom, type FunnelCounts, type MeasuredRate } from '../../domain/goals/measure';
import { pacing, reverseFunnel, type FunnelNeeds, type FunnelRates } from '../../domain/goals/reverse-funnel';
import { builder } from '../builder';
import { FunnelRatesRef, GoalRef } from './agreement-rules';
import { GoalMetricEnum, OwnerSideEnum, RateSourceEnum } from './enums';

const MeasuredRateRef = builder.objectRef<MeasuredRate>('MeasuredRate').implement({
  description: 'A conversion rate with what it was computed from.',
  fields: (t) => ({
    rate: t.exposeFloat('rate', { nullable: true, description: 'numerator / denominator, 0–1; null when the denominator is 0.' }),
    numerator: t.exposeInt('numerator'),
    denominator: t.exposeInt('denominator'),
  }),
});

const HistoricalRatesRef = builder.objectRef<Record<keyof FunnelRates, MeasuredRate>>('HistoricalRates').implement({
  description: 'Rates measured on the data over the look-back window: each step’s count over the step before.',
  fields: (t) => ({
    visitorToLead: t.field({ type: MeasuredRateRef, resolve: (r) => r.visitorToLead }),
    leadToMql: t.field({ type: MeasuredRateRef, resolve: (r) => r.leadToMql }),
    mqlToSql: t.field({ type: MeasuredRateRef, resolve: (r) => r.mqlToSql }),
    sqlToOpportunity: t.field({ type: MeasuredRateRef, resolve: (r) => r.sqlToOpportunity }),
    winRate: t.field({ type: MeasuredRateRef, resolve: (r) => r.winRate }),
  }),
});

const FunnelCountsRef = builder.objectRef<FunnelNeeds | FunnelCounts>('FunnelCounts').implement({
  description: 'A count for every step of the funnel; revenue in minor units.',
  fields: (t) => ({
    revenueMinor: t.field({ type: 'Float', nullable: true, resolve: (c) => c.revenueMinor }),
    wonDeals: t.exposeInt('wonDeals'),
    opportunities: t.exposeInt('opportunities'),
    sqls: t.exposeInt('sqls'),
    mqls: t.exposeInt('mqls'),
    leads: t.exposeInt('leads'),
    visitors: t.exposeInt('visitors'),
  }),
});

interface StepPacing {
  step: string;
  needed: number;
  neededToDate: number;
  actualToDate: number;
  paceRatio: number | null;
  projectedAtEnd: number;
  onTrack: boolean;
}

const StepPacingRef = builder.objectRef<StepPacing>('FunnelStepPacing').implement({
  description: 'One funnel step: what the period needs, what it needed by now, what happened, where it is heading.',
  fields: (t) => ({
    step: t.exposeString('step', { description: 'revenueMinor, wonDeals, opportunities, sqls, mqls, leads or visitors.' }),
    needed: t.field({ type: 'Float', resolve: (p) => p.needed }),
    neededToDate: t.field({ type: 'Float', resolve: (p) => p.neededToDate }),
    actualToDate: t.field({ type: 'Float', resolve: (p) => p.actualToDate }),
    paceRatio: t.exposeFloat('paceRatio', { nullable: true, description: 'actual / needed to date; ≥ 1 is on pace.' }),
    projectedAtEnd: t.field({ type: 'Float', resolve: (p) => p.projectedAtEnd, description: 'Linear projection to the period’s end.' }),
    onTrack: t.exposeBoolean('onTrack'),
  }),
});

interface GoalPlan {
  ratesUsed: FunnelRates;
  historical: Record<keyof FunnelRates, MeasuredRate> | null;
  needs: FunnelNeeds;
  actual: FunnelCounts;
  steps: StepPacing[];
  elapsedShare: number;
  asOf: Date;
}

const GoalPlanRef = builder.objectRef<GoalPlan>('GoalPlan').implement({
  description: 'The reverse funnel of a goal and its pacing as of a day.',
  fields: (t) => ({
    asOf: t.expose('asOf', { type: 'DateTime' }),
    ratesUsed: t.field({ type: FunnelRatesRef, resolve: (p) => p.ratesUsed }),
    historicalRates: t.field({
      type: HistoricalRatesRef,
      nullable: true,
      description: 'The measured rates, when the goal uses HISTORICAL rates.',
      resolve: (p) => p.historical,
    }),
    needs: t.field({ type: FunnelCountsRef, description: 'What the whole period needs (rounded up at every step).', resolve: (p) => p.needs }),
    actualToDate: t.field({ type: FunnelCountsRef, description: 'What happened from the period start up to the instant asOf (visitors: whole UTC days before it).', resolve: (p) => p.actual }),
    elapsedShare: t.exposeFloat('elapsedShare', { description: 'Share of the period elapsed, 0–1.' }),
    pacing: t.field({ type: [StepPacingRef], resolve: (p) => p.steps }),
  }),
});

const RATE_ORDER = ['winRate', 'sqlToOpportunity', 'mqlToSql', 'leadToMql', 'visitorToLead'] as const;
const RATES_BELOW = {
  new_revenue: RATE_ORDER.slice(0),
  won_deals: RATE_ORDER.slice(0),
  opportunities: RATE_ORDER.slice(1),
  sqls: RATE_ORDER.slice(2),
  mqls: RATE_ORDER.slice(3),
  leads: RATE_ORDER.slice(4),
  visitors: [],
} as const;

const FUNNEL_STEPS = ['revenueMinor', 'wonDeals', 'opportunities', 'sqls', 'mqls', 'leads', 'visitors'] as const;

GoalRef.implement({
  description: 'A SMART goal both sides signed up to, with its reverse funnel.',
  fields: (t) => ({
    key: t.exposeString('key'),
    name: t.exposeString('name'),
    metric: t.field({ type: GoalMetricEnum, resolve: (g) => g.metric }),
    target: t.field({ type: 'Float', description: 'Minor units for NEW_REVENUE, a count otherwise.', resolve: (g) => g.target }),
    currency: t.exposeString('currency'),
    periodStart: t.field({ type: 'Date', resolve: (g) => g.periodStart }),
    periodEnd: t.field({ type: 'Date', resolve: (g) => g.periodEnd }),
    ownerSide: t.field({ type: OwnerSideEnum, resolve: (g) => g.ownerSide }),
    averageDealSizeMinor: t.field({ type: 'Float', nullable: true, resolve: (g) => g.averageDealSizeMinor }),
    rateSource: t.field({ type: RateSourceEnum, resolve: (g) => g.rateSource }),
    lookbackDays: t.exposeInt('lookbackDays'),
    configuredRates: t.field({ type: FunnelRatesRef, resolve: (g) => g.rates }),
    plan: t.field({
      type: GoalPlanRef,
      nullable: true,
      description:
        'Reverse funnel, actuals and pacing as of `asOf` (default now). Null when the rates are missing (e.g. no history yet).',
      args: { asOf: t.arg({ type: 'DateTime', required: false }) },
      resolve: async (goal, args, ctx) => {
        const asOf = args.asOf ?? new Date();
        let historical: GoalPlan['historical'] = null;
        let rates: Record<keyof FunnelRates, number | null> = goal.rates;
        if (goal.rateSource === 'historical') {
          historical = ratesFrom(await measureFunnel(ctx.db, { ...lookbackWindow(asOf, goal.lookbackDays), agreementId: goal.agreementId }));
          rates = Object.fromEntries(Object.entries(historical).map(([k, v]) => [k, v.rate])) as Record<keyof FunnelRates, number | null>;
        }
        // Rates above the goal's metric are not used; a missing rate below it means no plan.
        const used = RATES_BELOW[goal.metric];
        if (used.some((name) => rates[name] == null)) return null;
        const complete = Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, v ?? 1])) as unknown as FunnelRates;
        let needs: FunnelNeeds;
        try {
          needs = reverseFunnel({ metric: goal.metric, target: goal.target, averageDealSizeMinor: goal.averageDealSizeMinor }, complete);
        } catch {
          return null;
        }
        // Actuals, elapsed share and pacing share one cut-off: the instant asOf (or the period's end).
        const periodEnd = new Date(Date.parse(`${goal.periodEnd}T00:00:00Z`) + 86_400_000);
        const until = asOf < periodEnd ? asOf : periodEnd;
        const actual =
          until.getTime() <= Date.parse(`${goal.periodStart}T00:00:00Z`)
            ? { visitors: 0, leads: 0, mqls: 0, sqls: 0, opportunities: 0, wonDeals: 0, revenueMinor: 0 }
            : await measureFunnel(ctx.db, { from: goal.periodStart, until, agreementId: goal.agreementId });
        const start = FUNNEL_STEPS.indexOf(goal.metric === 'new_revenue' ? 'revenueMinor' : (({ won_deals: 'wonDeals', opportunities: 'opportunities', sqls: 'sqls', mqls: 'mqls', leads: 'leads', visitors: 'visitors' }) as const)[goal.metric]);
        const steps = FUNNEL_STEPS.slice(start).map((step) => {
          const needed = needs[step] ?? 0;
          const p = pacing(needed, actual[step], goal.periodStart, goal.periodEnd, asOf);
          return { step, needed, neededToDate: p.neededToDate, actualToDate: p.actualToDate, paceRatio: p.paceRatio, projectedAtEnd: p.projectedAtEnd, onTrack: p.onTrack };
        });
        const elapsedShare = pacing(1, 0, goal.periodStart, goal.periodEnd, asOf).elapsedShare;
        return { ratesUsed: complete, historical, needs, actual, steps, elapsedShare, asOf };
      },
    }),
  }),
});
