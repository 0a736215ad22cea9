import { sql } from 'drizzle-orm';
import { bucketOf, handoffCtes, inPeriod, leadFilter, responseVerdict } from './sql';
import { day, defineKpi, num, numOrNull, rate, str, type Rate } from './types';

const RESPONSE_DEFINITION =
  'A hand-off is a handoffs row (domain/handoff/handoff.ts) that Sales got in the period: handed_off_at is when its ' +
  'clocks started (the request — a trigger event’s time or the move to MQL — or the release of a held hand-off). ' +
  'The verdict is its response clock’s (domain/clocks/verdict.ts): within = the first contact attempt came before the ' +
  'due time (the revision’s "response" business minutes after handed_off_at, in its business hours, holidays and time ' +
  'zone); breached = the due time passed first (recorded by the scheduler or not yet); closed = returned to Marketing ' +
  'in time without a contact (clock cancelled, left out of the rate); pending = time left. Business hours to first ' +
  'contact are counted in SQL with the same calendar as the clock.';

export interface ResponseTimeRow {
  handoffs: number;
  contacted: number;
  /** within / (within + breached); pending and no-rule hand-offs are left out. */
  withinSla: Rate;
  breached: number;
  /** Not contacted yet, SLA time left. */
  pending: number;
  /** Recycled or disqualified within the SLA without a contact (clock cancelled). */
  closedWithoutContact: number;
  /** Recycled or disqualified without a contact, within the SLA or after it ran out. */
  returnedWithoutContact: number;
  /** Neither contacted nor returned yet (pending or overdue). */
  waitingForContact: number;
  /** Hand-offs whose revision has no response rule. */
  noSla: number;
  p50Hours: number | null;
  p90Hours: number | null;
  p50BusinessHours: number | null;
  p90BusinessHours: number | null;
  /** The response SLA in business hours (the largest when several revisions apply). */
  slaBusinessHours: number | null;
}

export const responseTimeKpi = defineKpi<ResponseTimeRow>({
  id: 'response_time',
  title: 'Response time to hand-offs',
  description: `${RESPONSE_DEFINITION} Percentiles are over contacted hand-offs.`,
  params: ['period', 'agreement', 'source', 'owner'],
  query: (f) => sql`with ${handoffCtes(f)},
    v as (select h.*, ${responseVerdict} as verdict,
            extract(epoch from (h.first_contact_at - h.handed_off_at)) / 3600 as hours,
            h.response_business_minutes / 60.0 as business_hours
          from sales_handoffs h)
    select count(*) as handoffs,
      count(*) filter (where first_contact_at is not null) as contacted,
      count(*) filter (where verdict = 'within') as within,
      count(*) filter (where verdict = 'breached') as breached,
      count(*) filter (where verdict = 'pending') as pending,
      count(*) filter (where verdict = 'closed') as closed,
      count(*) filter (where first_contact_at is null and response_stopped_at is not null) as returned,
      count(*) filter (where response_stopped_at is null) as waiting,
      count(*) filter (where verdict = 'no_sla') as no_sla,
      percentile_cont(0.5) within group (order by hours) as p50,
      percentile_cont(0.9) within group (order by hours) as p90,
      percentile_cont(0.5) within group (order by business_hours) filter (where first_contact_at is not null) as p50_business,
      percentile_cont(0.9) within group (order by business_hours) filter (where first_contact_at is not null) as p90_business,
      max(response_sla_minutes) / 60.0 as sla_hours
    from v`,
  mapRows: ([r]) => {
    if (!r) return [];
    const within = num(r.within);
    const breached = num(r.breached);
    return [
      {
        handoffs: num(r.handoffs),
        contacted: num(r.contacted),
        withinSla: rate(within, within + breached),
        breached,
        pending: num(r.pending),
        closedWithoutContact: num(r.closed),
        returnedWithoutContact: num(r.returned),
        waitingForContact: num(r.waiting),
        noSla: num(r.no_sla),
        p50Hours: numOrNull(r.p50),
        p90Hours: numOrNull(r.p90),
        p50BusinessHours: numOrNull(r.p50_business),
        p90BusinessHours: numOrNull(r.p90_business),
        slaBusinessHours: numOrNull(r.sla_hours),
      },
    ];
  },
});

export interface ResponseBinRow {
  label: string;
  /**
   * Business-hour bin [fromHours, toHours) of contacted hand-offs; toHours null for the last bin. Two rows
   * with both null: "not contacted" (still waiting) and "returned without contact".
   */
  fromHours: number | null;
  toHours: number | null;
  handoffs: number;
  slaBusinessHours: number | null;
}

export const responseDistributionKpi = defineKpi<ResponseBinRow>({
  id: 'response_distribution',
  title: 'Response time distribution (business hours)',
  description: `${RESPONSE_DEFINITION} Contacted hand-offs by business hours to first contact, plus the hand-offs still waiting for a contact and those returned without one.`,
  params: ['period', 'agreement', 'source', 'owner'],
  query: (f) => sql`with ${handoffCtes(f)},
    sla as (select max(response_sla_minutes) / 60.0 as hours from sales_handoffs)
    select b.label, b.lo, b.hi, count(h.lead_id) as handoffs, (select hours from sla) as sla_hours, b.pos
    from (values (1, '< 1 h', 0, 1), (2, '1–2 h', 1, 2), (3, '2–4 h', 2, 4), (4, '4–8 h', 4, 8),
                 (5, '8–16 h', 8, 16), (6, '16–24 h', 16, 24), (7, '24–48 h', 24, 48), (8, '48 h +', 48, null))
      as b(pos, label, lo, hi)
    left join sales_handoffs h on h.first_contact_at is not null
      and h.response_business_minutes >= b.lo * 60 and (b.hi is null or h.response_business_minutes < b.hi * 60)
    group by b.pos, b.label, b.lo, b.hi
    union all
    select 'not contacted', null, null, count(*), (select hours from sla), 9 from sales_handoffs where response_stopped_at is null
    union all
    select 'returned without contact', null, null, count(*), (select hours from sla), 10
    from sales_handoffs where first_contact_at is null and response_stopped_at is not null
    order by 6`,
  mapRows: (raw) =>
    raw.map((r) => ({
      label: str(r.label),
      fromHours: numOrNull(r.lo),
      toHours: numOrNull(r.hi),
      handoffs: num(r.handoffs),
      slaBusinessHours: numOrNull(r.sla_hours),
    })),
});

export interface AttemptsPerLeadRow {
  attempts: number;
  leads: number;
}

export const attemptsPerLeadKpi = defineKpi<AttemptsPerLeadRow>({
  id: 'attempts_per_lead',
  title: 'Contact attempts per hand-off',
  description:
    'Hand-offs in the period (as for response time) by the number of contact attempts on the lead from the hand-off to the lead’s next hand-off, as of now.',
  params: ['period', 'agreement', 'source', 'owner'],
  query: (f) => sql`with ${handoffCtes(f)}
    select n.attempts, count(*) as leads
    from (select (select count(*) from contact_attempts ca
                  where ca.lead_id = h.lead_id and ca.occurred_at >= h.handed_off_at
                    and (h.next_handoff_at is null or ca.occurred_at < h.next_handoff_at)) as attempts
          from handoff_rows h) n
    group by 1 order by 1`,
  mapRows: (raw) => raw.map((r) => ({ attempts: num(r.attempts), leads: num(r.leads) })),
});

export interface RepActivityRow {
  rep: string;
  /** The rep's user id; null for the team-total row a rep's own view shows (reports/kpis/audience.ts). */
  repId: string | null;
  attempts: number;
  leadsContacted: number;
  attemptsPerLead: number | null;
  /** Median hours since the lead's previous attempt. */
  p50IntervalHours: number | null;
  cadenceCompliance: Rate;
  handoffs: number;
  responseWithinSla: Rate;
  p50ResponseBusinessHours: number | null;
  /** Set on the team-total row of a rep's own view (reports/kpis/audience.ts). */
  teamTotal?: true;
}

export const repActivityKpi = defineKpi<RepActivityRow>({
  id: 'rep_activity',
  title: 'Contact frequency and response per rep',
  description:
    'Per rep (users.name; no lead data): contact attempts they made in the period, distinct leads contacted, attempts ' +
    'per lead, median interval since the lead’s previous attempt (hours), cadence compliance (attempts with empty ' +
    'cadence_flags), and for hand-offs in the period routed to the rep (handoffs.owner_id) the response within SLA and ' +
    'median business hours to first contact (definitions as in response_time).',
  params: ['period', 'agreement', 'source', 'owner'],
  query: (f) => sql`with ${handoffCtes(f)},
    att as (
      select ca.user_id, ca.lead_id, cardinality(ca.cadence_flags) = 0 as compliant,
        extract(epoch from (ca.occurred_at - prev.at)) / 3600 as gap_hours
      from contact_attempts ca join leads l on l.id = ca.lead_id
      left join lateral (select max(p.occurred_at) as at from contact_attempts p
        where p.lead_id = ca.lead_id and p.occurred_at < ca.occurred_at) prev on true
      where ${inPeriod(sql`ca.occurred_at`, f)} and ${leadFilter(f)}
    ),
    a as (
      select user_id, count(*) as attempts, count(distinct lead_id) as leads,
        count(*) filter (where compliant) as compliant,
        percentile_cont(0.5) within group (order by gap_hours) as p50_gap
      from att group by 1
    ),
    r as (
      select owner_id as user_id, count(*) as handoffs,
        count(*) filter (where verdict = 'within') as within,
        count(*) filter (where verdict in ('within', 'breached')) as decided,
        percentile_cont(0.5) within group (order by response_business_minutes / 60.0)
          filter (where first_contact_at is not null) as p50_response
      from (select h.*, ${responseVerdict} as verdict from sales_handoffs h) h
      where owner_id is not null group by 1
    )
    select u.id as user_id, u.name, coalesce(a.attempts, 0) as attempts, coalesce(a.leads, 0) as leads,
      coalesce(a.compliant, 0) as compliant, a.p50_gap,
      coalesce(r.handoffs, 0) as handoffs, coalesce(r.within, 0) as within, coalesce(r.decided, 0) as decided,
      r.p50_response
    from a full join r on r.user_id = a.user_id
    join users u on u.id = coalesce(a.user_id, r.user_id)
    order by attempts desc, u.name`,
  mapRows: (raw) =>
    raw.map((r) => {
      const attempts = num(r.attempts);
      const leads = num(r.leads);
      return {
        rep: str(r.name),
        repId: str(r.user_id),
        attempts,
        leadsContacted: leads,
        attemptsPerLead: leads ? attempts / leads : null,
        p50IntervalHours: numOrNull(r.p50_gap),
        cadenceCompliance: rate(num(r.compliant), attempts),
        handoffs: num(r.handoffs),
        responseWithinSla: rate(num(r.within), num(r.decided)),
        p50ResponseBusinessHours: numOrNull(r.p50_response),
      };
    }),
});

export interface ChannelOutcomeRow {
  channel: string;
  outcome: string;
  attempts: number;
  /** Share of all attempts in the period. */
  share: Rate;
}

export const channelOutcomeKpi = defineKpi<ChannelOutcomeRow>({
  id: 'channel_outcome_mix',
  title: 'Channel and outcome mix',
  description: 'Contact attempts made in the period (occurred_at) by channel and outcome.',
  params: ['period', 'agreement', 'source', 'owner'],
  query: (f) => sql`select ca.channel::text as channel, ca.outcome::text as outcome, count(*) as attempts,
      sum(count(*)) over () as total
    from contact_attempts ca join leads l on l.id = ca.lead_id
    where ${inPeriod(sql`ca.occurred_at`, f)} and ${leadFilter(f)}
    group by 1, 2 order by 1, 2`,
  mapRows: (raw) =>
    raw.map((r) => ({
      channel: str(r.channel),
      outcome: str(r.outcome),
      attempts: num(r.attempts),
      share: rate(num(r.attempts), num(r.total)),
    })),
});

export interface CadenceComplianceRow extends Rate {
  bucket: string;
}

export const cadenceComplianceKpi = defineKpi<CadenceComplianceRow>({
  id: 'cadence_compliance',
  title: 'Cadence compliance',
  description:
    'Share of contact attempts in the period with empty cadence_flags (none too soon, on a disallowed channel, ' +
    'past the maximum span or attempts), per week (or month for periods over 62 days), UTC.',
  params: ['period', 'agreement', 'source', 'owner'],
  query: (f) => sql`select ${bucketOf(sql`ca.occurred_at`, f)} as bucket,
      count(*) filter (where cardinality(ca.cadence_flags) = 0) as numerator, count(*) as denominator
    from contact_attempts ca join leads l on l.id = ca.lead_id
    where ${inPeriod(sql`ca.occurred_at`, f)} and ${leadFilter(f)}
    group by 1 order by 1`,
  mapRows: (raw) => raw.map((r) => ({ bucket: day(r.bucket), ...rate(num(r.numerator), num(r.denominator)) })),
});

export interface CadenceFlagRow {
  flag: string;
  attempts: number;
  /** Flagged attempts over all attempts in the period (an attempt may carry several flags). */
  share: Rate;
}

export const cadenceFlagsKpi = defineKpi<CadenceFlagRow>({
  id: 'cadence_flags',
  title: 'Cadence breaches by kind',
  description: 'Contact attempts in the period carrying each cadence flag, over all attempts in the period.',
  params: ['period', 'agreement', 'source', 'owner'],
  query: (f) => sql`with att as (
      select ca.cadence_flags from contact_attempts ca join leads l on l.id = ca.lead_id
      where ${inPeriod(sql`ca.occurred_at`, f)} and ${leadFilter(f)}
    )
    select fl.flag, count(*) as attempts, (select count(*) from att) as total
    from att cross join lateral unnest(att.cadence_flags) as fl(flag)
    group by 1 order by 2 desc, 1`,
  mapRows: (raw) =>
    raw.map((r) => ({ flag: str(r.flag), attempts: num(r.attempts), share: rate(num(r.attempts), num(r.total)) })),
});
