import { sql } from 'drizzle-orm';
import { inPeriod, leadFilter, mqlOutcomeCtes, reasonLabel } from './sql';
import { defineKpi, num, rate, str, type Rate } from './types';

export interface MqlAcceptanceRow {
  mqls: number;
  /** MQL → SQL acceptance: reached sql after entering mql. */
  acceptance: Rate;
  /** Rejected by a user (mql → recycled/disqualified) and never accepted. */
  rejection: Rate;
  /** Neither accepted nor rejected yet (pending, or closed by the system). */
  undecided: number;
  /** MQL precision: went on to a won opportunity. */
  precision: Rate;
}

export const mqlAcceptanceKpi = defineKpi<MqlAcceptanceRow>({
  id: 'mql_acceptance',
  title: 'MQL → SQL acceptance',
  description:
    'Leads whose first MQL transition (stage_transitions.to_stage = mql) falls in the period. Accepted = the lead ' +
    'reached sql at or after that MQL transition (acceptance rate = accepted / MQLs). Rejected = a user moved it ' +
    'mql → recycled or disqualified (with a reason) and it never reached sql. Precision = MQLs that went on to a ' +
    'won opportunity / MQLs. Outcomes are counted as of now, so recent MQLs may still be undecided.',
  params: ['period', 'agreement', 'source', 'owner'],
  query: (f) => sql`with ${mqlOutcomeCtes(f)}
    select count(*) as mqls,
      count(*) filter (where accepted) as accepted,
      count(*) filter (where rejected_once and not accepted) as rejected,
      count(*) filter (where won) as won
    from mql_outcomes`,
  mapRows: ([r]) => {
    if (!r) return [];
    const mqls = num(r.mqls);
    const accepted = num(r.accepted);
    const rejected = num(r.rejected);
    return [
      {
        mqls,
        acceptance: rate(accepted, mqls),
        rejection: rate(rejected, mqls),
        undecided: mqls - accepted - rejected,
        precision: rate(num(r.won), mqls),
      },
    ];
  },
});

export interface ReasonRow {
  code: string;
  label: string;
  count: number;
  /** Share of all rows of this KPI in the period. */
  share: Rate;
}

export const rejectionReasonsKpi = defineKpi<ReasonRow>({
  id: 'rejection_reasons',
  title: 'Why Sales rejected MQLs',
  description:
    'Rejections in the period: stage transitions mql → recycled or disqualified made by a user (not the system) ' +
    'with a reason code, grouped by reason code, labelled as the revision in force at the move wrote it (a reject reason first).',
  params: ['period', 'agreement', 'source', 'owner'],
  query: (f) => sql`select g.code, g.label, g.n, sum(g.n) over () as total
    from (
      select st.reason_code as code,
        case when st.to_stage = 'disqualified' then ${reasonLabel(sql`st.reason_code`, sql`st.revision_id`, ['reject', 'disqualify'])}
          else ${reasonLabel(sql`st.reason_code`, sql`st.revision_id`, ['reject', 'recycle'])} end as label,
        count(*) as n
      from stage_transitions st join leads l on l.id = st.lead_id
      where st.from_stage = 'mql' and st.to_stage in ('recycled', 'disqualified') and st.actor_type = 'user'
        and st.reason_code is not null and ${inPeriod(sql`st.occurred_at`, f)} and ${leadFilter(f)}
      group by 1, 2
    ) g
    order by g.n desc, g.code, g.label`,
  mapRows: (raw) =>
    raw.map((r) => ({ code: str(r.code), label: str(r.label), count: num(r.n), share: rate(num(r.n), num(r.total)) })),
});

export interface ScoreBinRow {
  temperature: string;
  /** Total score (fit + interest) bin [binStart, binEnd); -10 holds every negative score, 150 every score from 150. */
  binStart: number;
  binEnd: number;
  leads: number;
}

export const scoreDistributionKpi = defineKpi<ScoreBinRow>({
  id: 'score_distribution',
  title: 'Score and temperature of new leads',
  description:
    'Leads created in the period by their current total score (fit + interest, in bins of 10; negatives in one bin, ' +
    '150 and above in one bin) and current temperature (cold / warm / hot).',
  params: ['period', 'agreement', 'source', 'owner'],
  query: (f) => sql`select l.temperature::text as temperature,
      greatest(-10, least(150, floor((l.fit_score + l.interest_score) / 10.0) * 10))::int as bin_start,
      count(*) as leads
    from leads l
    where ${inPeriod(sql`l.created_at`, f)} and ${leadFilter(f)}
    group by 1, 2 order by 2, 1`,
  mapRows: (raw) =>
    raw.map((r) => {
      const binStart = num(r.bin_start);
      return { temperature: str(r.temperature), binStart, binEnd: binStart + 10, leads: num(r.leads) };
    }),
});

export interface NurtureRow {
  workflowKey: string;
  workflow: string;
  buyingStage: string;
  enrolled: number;
  completed: Rate;
  exited: number;
  /** Enrolled leads that became MQL again after enrolment. */
  reengaged: Rate;
}

export const nurtureKpi = defineKpi<NurtureRow>({
  id: 'nurture',
  title: 'Nurture enrolments, completions and re-engagement',
  description:
    'Enrolments created in the period (nurture_enrolments.created_at, the enrolment time), per workflow (by key): how many completed, exited, and re-engaged ' +
    '(the lead had a transition to mql after enrolling). Completion and re-engagement are counted as of now.',
  params: ['period', 'agreement', 'source', 'owner'],
  query: (f) => sql`select w.key, min(w.name) as name, min(w.buying_stage::text) as buying_stage,
      count(*) as enrolled,
      count(*) filter (where e.status = 'completed') as completed,
      count(*) filter (where e.status = 'exited') as exited,
      count(*) filter (where exists (select 1 from stage_transitions s where s.lead_id = e.lead_id
        and s.to_stage = 'mql' and s.occurred_at > e.created_at)) as reengaged
    from nurture_enrolments e
    join nurture_workflows w on w.id = e.workflow_id
    join leads l on l.id = e.lead_id
    where ${inPeriod(sql`e.created_at`, f)} and ${leadFilter(f)}
    group by w.key order by enrolled desc, w.key`,
  mapRows: (raw) =>
    raw.map((r) => {
      const enrolled = num(r.enrolled);
      return {
        workflowKey: str(r.key),
        workflow: str(r.name),
        buyingStage: str(r.buying_stage),
        enrolled,
        completed: rate(num(r.completed), enrolled),
        exited: num(r.exited),
        reengaged: rate(num(r.reengaged), enrolled),
      };
    }),
});
