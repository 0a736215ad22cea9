import { sql } from 'drizzle-orm';
import { bucketOf, inPeriod, leadFilter, mqlOutcomeCtes } from './sql';
import { day, defineKpi, num, numOrNull, rate, str, type Rate } from './types';

export const funnelStages = ['visitors', 'leads', 'mqls', 'sqls', 'opportunities', 'won'] as const;
export type FunnelStage = (typeof funnelStages)[number];

export interface FunnelRow {
  stage: FunnelStage;
  count: number;
  /** This stage's count over the previous stage's; null for the first stage. */
  fromPrevious: Rate | null;
  /** Won revenue in minor units (only on the `won` row). */
  revenueMinor: number | null;
}

function funnelRows(
  stages: readonly FunnelStage[],
  counts: Partial<Record<FunnelStage, number>>,
  revenueMinor: number | null,
): FunnelRow[] {
  return stages.map((stage, i) => ({
    stage,
    count: counts[stage] ?? 0,
    fromPrevious: i === 0 ? null : rate(counts[stage] ?? 0, counts[stages[i - 1]!] ?? 0),
    revenueMinor: stage === 'won' ? revenueMinor : null,
  }));
}

export const funnelKpi = defineKpi<FunnelRow>({
  id: 'funnel',
  title: 'Funnel volumes in the period',
  description:
    'What happened in the period, stage by stage: visitors (sum of daily_traffic.visitors, filtered by source only — ' +
    'traffic has no agreement or owner), leads created, MQLs (distinct leads with a stage transition to mql), SQLs ' +
    '(distinct leads with a transition to sql), opportunities created, and won deals (opportunities with status won ' +
    'by closed_at) with their revenue (amount_minor, one currency assumed). Stage-to-stage rates are ratios of these ' +
    'period volumes, not the conversion of one cohort (see funnel_cohort).',
  params: ['period', 'agreement', 'source', 'owner'],
  query: (f) => sql`select
      (select coalesce(sum(t.visitors), 0) from daily_traffic t
        where t.day >= ${f.from}::date and t.day <= ${f.to}::date
        ${f.source ? sql`and t.source = ${f.source}` : sql``})::bigint as visitors,
      (select count(*) from leads l where ${inPeriod(sql`l.created_at`, f)} and ${leadFilter(f)}) as leads,
      (select count(distinct st.lead_id) from stage_transitions st join leads l on l.id = st.lead_id
        where st.to_stage = 'mql' and ${inPeriod(sql`st.occurred_at`, f)} and ${leadFilter(f)}) as mqls,
      (select count(distinct st.lead_id) from stage_transitions st join leads l on l.id = st.lead_id
        where st.to_stage = 'sql' and ${inPeriod(sql`st.occurred_at`, f)} and ${leadFilter(f)}) as sqls,
      (select count(*) from opportunities o join leads l on l.id = o.lead_id
        where ${inPeriod(sql`o.created_at`, f)} and ${leadFilter(f)}) as opportunities,
      (select count(*) from opportunities o join leads l on l.id = o.lead_id
        where o.status = 'won' and ${inPeriod(sql`o.closed_at`, f)} and ${leadFilter(f)}) as won,
      (select coalesce(sum(o.amount_minor), 0) from opportunities o join leads l on l.id = o.lead_id
        where o.status = 'won' and ${inPeriod(sql`o.closed_at`, f)} and ${leadFilter(f)})::bigint as revenue_minor`,
  mapRows: ([r]) =>
    r
      ? funnelRows(
          funnelStages,
          {
            visitors: num(r.visitors),
            leads: num(r.leads),
            mqls: num(r.mqls),
            sqls: num(r.sqls),
            opportunities: num(r.opportunities),
            won: num(r.won),
          },
          num(r.revenue_minor),
        )
      : [],
});

export const funnelCohortKpi = defineKpi<FunnelRow>({
  id: 'funnel_cohort',
  title: 'Funnel of the leads created in the period',
  description:
    'The creation cohort: leads created in the period, and how many of them have reached MQL (any transition to mql), ' +
    'SQL (any transition to sql), an opportunity, and a won opportunity, as of now. Rates are true conversions of ' +
    'that cohort. There is no visitor step: visitors are anonymous.',
  params: ['period', 'agreement', 'source', 'owner'],
  query: (f) => sql`with cohort as (
      select l.id from leads l where ${inPeriod(sql`l.created_at`, f)} and ${leadFilter(f)}
    )
    select count(*) as leads,
      count(*) filter (where exists (select 1 from stage_transitions s where s.lead_id = c.id and s.to_stage = 'mql')) as mqls,
      count(*) filter (where exists (select 1 from stage_transitions s where s.lead_id = c.id and s.to_stage = 'sql')) as sqls,
      count(*) filter (where exists (select 1 from opportunities o where o.lead_id = c.id)) as opportunities,
      count(*) filter (where exists (select 1 from opportunities o where o.lead_id = c.id and o.status = 'won')) as won,
      coalesce((select sum(o.amount_minor) from opportunities o join cohort c2 on c2.id = o.lead_id where o.status = 'won'), 0)::bigint as revenue_minor
    from cohort c`,
  mapRows: ([r]) =>
    r
      ? funnelRows(
          funnelStages.slice(1),
          {
            leads: num(r.leads),
            mqls: num(r.mqls),
            sqls: num(r.sqls),
            opportunities: num(r.opportunities),
            won: num(r.won),
          },
          num(r.revenue_minor),
        )
      : [],
});

export const conversionSteps = ['lead_to_mql', 'mql_to_sql', 'sql_to_opportunity', 'opportunity_to_won'] as const;
export type ConversionStep = (typeof conversionSteps)[number];

export interface ConversionTrendRow extends Rate {
  bucket: string;
  step: ConversionStep;
}

export const conversionTrendKpi = defineKpi<ConversionTrendRow>({
  id: 'conversion_trend',
  title: 'Stage-to-stage conversion over time',
  description:
    'Per week (periods up to 62 days) or month (longer), UTC: lead→MQL = leads created in the bucket that reached mql; ' +
    'MQL→SQL = leads whose first MQL transition in the bucket later reached sql (the acceptance rate); ' +
    'SQL→opportunity = leads whose first SQL transition in the bucket later got an opportunity; ' +
    'opportunity→won = opportunities created in the bucket that are won. Recent buckets are still maturing.',
  params: ['period', 'agreement', 'source', 'owner'],
  query: (f) => sql`with ${mqlOutcomeCtes(f, true)},
    sql_entries as (
      select st.lead_id, ${bucketOf(sql`st.occurred_at`, f)} as bucket, min(st.occurred_at) as sql_at
      from stage_transitions st join leads l on l.id = st.lead_id
      where st.to_stage = 'sql' and ${inPeriod(sql`st.occurred_at`, f)} and ${leadFilter(f)}
      group by 1, 2
    )
    select ${bucketOf(sql`l.created_at`, f)} as bucket, 'lead_to_mql' as step,
      count(*) filter (where exists (select 1 from stage_transitions s where s.lead_id = l.id and s.to_stage = 'mql')) as numerator,
      count(*) as denominator
    from leads l where ${inPeriod(sql`l.created_at`, f)} and ${leadFilter(f)} group by 1
    union all
    select bucket, 'mql_to_sql', count(*) filter (where accepted), count(*) from mql_outcomes group by 1
    union all
    select e.bucket, 'sql_to_opportunity',
      count(*) filter (where exists (select 1 from opportunities o where o.lead_id = e.lead_id and o.created_at >= e.sql_at)),
      count(*)
    from sql_entries e group by 1
    union all
    select ${bucketOf(sql`o.created_at`, f)}, 'opportunity_to_won', count(*) filter (where o.status = 'won'), count(*)
    from opportunities o join leads l on l.id = o.lead_id
    where ${inPeriod(sql`o.created_at`, f)} and ${leadFilter(f)} group by 1
    order by 1, 2`,
  mapRows: (raw) =>
    raw.map((r) => ({
      bucket: day(r.bucket),
      step: str(r.step) as ConversionStep,
      ...rate(num(r.numerator), num(r.denominator)),
    })),
});

export interface StageDurationRow {
  step: ConversionStep;
  /** How many transitions were measured. */
  count: number;
  p50Hours: number | null;
  p90Hours: number | null;
}

export const stageDurationsKpi = defineKpi<StageDurationRow>({
  id: 'stage_durations',
  title: 'Time between stages',
  description:
    'Wall-clock hours between stages, median (p50) and 90th percentile, for moves that ended in the period: ' +
    'lead→MQL = lead created → first mql transition; MQL→SQL = sql transition ← the latest mql transition before it; ' +
    'SQL→opportunity = opportunity created ← the latest sql transition before it; opportunity→won = created → closed.',
  params: ['period', 'agreement', 'source', 'owner'],
  query: (f) => sql`with spans as (
      select 'lead_to_mql' as step, extract(epoch from (m.mql_at - l.created_at)) / 3600 as hours
      from (select st.lead_id, min(st.occurred_at) as mql_at from stage_transitions st
            where st.to_stage = 'mql' group by st.lead_id) m
      join leads l on l.id = m.lead_id
      where ${inPeriod(sql`m.mql_at`, f)} and ${leadFilter(f)}
      union all
      select 'mql_to_sql', extract(epoch from (st.occurred_at - prev.at)) / 3600
      from stage_transitions st join leads l on l.id = st.lead_id
      cross join lateral (select max(p.occurred_at) as at from stage_transitions p
        where p.lead_id = st.lead_id and p.to_stage = 'mql' and p.occurred_at <= st.occurred_at) prev
      where st.to_stage = 'sql' and prev.at is not null and ${inPeriod(sql`st.occurred_at`, f)} and ${leadFilter(f)}
      union all
      select 'sql_to_opportunity', extract(epoch from (o.created_at - prev.at)) / 3600
      from opportunities o join leads l on l.id = o.lead_id
      cross join lateral (select max(p.occurred_at) as at from stage_transitions p
        where p.lead_id = o.lead_id and p.to_stage = 'sql' and p.occurred_at <= o.created_at) prev
      where prev.at is not null and ${inPeriod(sql`o.created_at`, f)} and ${leadFilter(f)}
      union all
      select 'opportunity_to_won', extract(epoch from (o.closed_at - o.created_at)) / 3600
      from opportunities o join leads l on l.id = o.lead_id
      where o.status = 'won' and ${inPeriod(sql`o.closed_at`, f)} and ${leadFilter(f)}
    )
    select s.step, count(sp.hours) as count,
      percentile_cont(0.5) within group (order by sp.hours) as p50,
      percentile_cont(0.9) within group (order by sp.hours) as p90
    from (values ('lead_to_mql', 1), ('mql_to_sql', 2), ('sql_to_opportunity', 3), ('opportunity_to_won', 4)) s(step, pos)
    left join spans sp on sp.step = s.step
    group by s.step, s.pos order by s.pos`,
  mapRows: (raw) =>
    raw.map((r) => ({
      step: str(r.step) as ConversionStep,
      count: num(r.count),
      p50Hours: numOrNull(r.p50),
      p90Hours: numOrNull(r.p90),
    })),
});
