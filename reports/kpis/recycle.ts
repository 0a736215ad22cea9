import { sql } from 'drizzle-orm';
import { inPeriod, leadFilter, NO_REASON, reasonLabel } from './sql';
import { defineKpi, num, rate, str, type Rate } from './types';

export const recycleRoutes = ['rejected', 'manual', 'automatic'] as const;
export type RecycleRoute = (typeof recycleRoutes)[number];

export interface RecycleReasonRow {
  code: string;
  label: string;
  /** recycled or disqualified */
  toStage: string;
  /** rejected (a user, from mql), manual (a user, later stages), automatic (the system: max attempts or span). */
  route: RecycleRoute;
  count: number;
  share: Rate;
}

export const recycleReasonsKpi = defineKpi<RecycleReasonRow>({
  id: 'recycle_reasons',
  title: 'Recycle and disqualification reasons',
  description:
    'Stage transitions to recycled or disqualified in the period, by reason code, target stage and route: ' +
    'rejected = by a user from mql (a hand-off refused), manual = by a user from a later stage, automatic = by the ' +
    'system (cadence exhausted). Each code is labelled as the revision in force at the move wrote it, in the kind that ' +
    'matches the route (reject, recycle or disqualify). Share = over all such transitions in the period.',
  params: ['period', 'agreement', 'source', 'owner'],
  query: (f) => sql`select g.code, g.label, g.to_stage, g.route, sum(g.n) as n, sum(sum(g.n)) over () as total
    from (
      select coalesce(t.reason_code, ${NO_REASON}) as code, t.to_stage, t.route,
        -- the label of the kind that matches the route, from the revision in force at the move
        case when t.route = 'rejected' and t.to_stage = 'disqualified' then ${reasonLabel(sql`t.reason_code`, sql`t.revision_id`, ['reject', 'disqualify'])}
             when t.route = 'rejected' then ${reasonLabel(sql`t.reason_code`, sql`t.revision_id`, ['reject', 'recycle'])}
             when t.to_stage = 'disqualified' then ${reasonLabel(sql`t.reason_code`, sql`t.revision_id`, ['disqualify'])}
             else ${reasonLabel(sql`t.reason_code`, sql`t.revision_id`, ['recycle'])} end as label,
        count(*) as n
      from (
        select st.reason_code, st.revision_id, st.to_stage::text as to_stage,
          case when st.actor_type = 'system' then 'automatic' when st.from_stage = 'mql' then 'rejected' else 'manual' end as route
        from stage_transitions st join leads l on l.id = st.lead_id
        where st.to_stage in ('recycled', 'disqualified') and ${inPeriod(sql`st.occurred_at`, f)} and ${leadFilter(f)}
      ) t
      group by t.reason_code, t.revision_id, t.to_stage, t.route
    ) g
    group by g.code, g.label, g.to_stage, g.route
    order by n desc, g.code, g.to_stage, g.route, g.label`,
  mapRows: (raw) =>
    raw.map((r) => ({
      code: str(r.code),
      label: str(r.label),
      toStage: str(r.to_stage),
      route: str(r.route) as RecycleRoute,
      count: num(r.n),
      share: rate(num(r.n), num(r.total)),
    })),
});

export interface RequalificationRow {
  recycled: number;
  /** Recycled leads that reached mql again afterwards. */
  requalified: Rate;
}

export const requalificationKpi = defineKpi<RequalificationRow>({
  id: 'requalification',
  title: 'Re-qualification of recycled leads',
  description:
    'Leads with a transition to recycled in the period (first one counted), and how many of them later had a ' +
    'transition to mql again, as of now.',
  params: ['period', 'agreement', 'source', 'owner'],
  query: (f) => sql`with r as (
      select st.lead_id, min(st.occurred_at) as recycled_at
      from stage_transitions st join leads l on l.id = st.lead_id
      where st.to_stage = 'recycled' and ${inPeriod(sql`st.occurred_at`, f)} and ${leadFilter(f)}
      group by 1
    )
    select count(*) as recycled,
      count(*) filter (where exists (select 1 from stage_transitions s where s.lead_id = r.lead_id
        and s.to_stage = 'mql' and s.occurred_at > r.recycled_at)) as requalified
    from r`,
  mapRows: ([r]) => (r ? [{ recycled: num(r.recycled), requalified: rate(num(r.requalified), num(r.recycled)) }] : []),
});
