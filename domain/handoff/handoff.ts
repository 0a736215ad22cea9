import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { rows, type DbOrTx } from '../../db/client';
import { pgArray } from '../../db/pg-array';
import type { LifecycleStage } from '../../db/schema/enums';
import { CLOCK_ENDINGS, endClocks, startClocks } from '../clocks/sla-clocks';
import { loadPolicy, type RevisionPolicy } from './context';
import { Router } from './routing';

// Marketing → Sales: the one model of a hand-off (the `handoffs` table), written only here.
//
// A hand-off is requested when a lead becomes MQL by score (if the agreement hands off on MQL), is
// moved to MQL by a person (same rule), or sends a bottom-of-funnel trigger. It is requested at the
// instant that asked for it (the trigger event's time, or the move to MQL) but never before the lead
// entered its current stage: a trigger sent late moves the lead to MQL at the trigger's time, so the
// stage history never shows Sales getting a lead before it qualified. Triggers older than 30 days are
// history being imported: they are requested when they reach us.
//
// It is held, listing what is missing, when the lead lacks information Sales agreed to receive or no
// rep can take it; otherwise it is routed. A hand-off routed at once starts Sales' clocks (acceptance,
// response) at its request; one held and released later starts them at the release, since Sales
// could not act before. `handed_off_at` is that one instant, and every reader (work queue, KPIs,
// notebooks, webhooks) reads it from here. The release keeps the original trigger; that it was held
// is a separate fact (held_at, released_at, missing_fields).

const COLUMN: Record<string, string> = {
  email: 'email', phone: 'phone', first_name: 'first_name', last_name: 'last_name', title: 'title', seniority: 'seniority',
  department: 'department', company_name: 'company_name', company_size: 'company_size', industry: 'industry', country: 'country',
};

/** Triggers older than this are history being imported: their hand-off starts when they reach us. */
export const LATE_TRIGGER_LIMIT_MS = 30 * 86_400_000;

export interface HandoffRequest {
  leadId: string;
  agreementId: string;
  /** 'mql' for a lead that qualified by score, 'manual' for a person's move to MQL, or the trigger activity type. */
  trigger: string;
  /** When it was asked for: the trigger event's time, or the move to MQL. */
  at: Date;
  activityId?: number | null;
  /** A rep who moved its own lead back to MQL keeps it: the hand-off goes to them, not to routing. */
  ownerId?: string | null;
}

export interface HandoffOutcome {
  leadId: string;
  handoffId: string;
  status: 'routed' | 'held';
  ownerId: string | null;
  missingFields: string[];
}

type LeadForHandoff = Record<string, unknown> & {
  id: string;
  stage: LifecycleStage;
  stage_changed_at: Date | string;
  attributes: Record<string, unknown>;
  open_handoff: string | null;
};

function missingFields(lead: LeadForHandoff, policy: RevisionPolicy): string[] {
  return policy.handoff.requiredFields
    .filter(({ field }) => {
      const value = field.startsWith('attributes.') ? lead.attributes?.[field.slice(11)] : lead[COLUMN[field] ?? field];
      return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
    })
    .map((f) => f.field);
}

/**
 * The instant a request counts from: never in the future (a sender's clock may run ahead), and never
 * before the lead entered its current stage (which another request may have moved while this one
 * waited for the lock).
 */
function requestInstant(request: HandoffRequest, lead: LeadForHandoff, now: Date): Date {
  return new Date(Math.max(Math.min(request.at.getTime(), now.getTime()), new Date(lead.stage_changed_at).getTime()));
}

/** Whether the agreement hands off on this request. */
function wanted(policy: RevisionPolicy, trigger: string): boolean {
  if (trigger === 'mql' || trigger === 'manual') return policy.handoff.handoffOnMql;
  return policy.handoff.triggerActivityTypes.includes(trigger);
}

/**
 * Requests hand-offs ('mql' requests are leads that just qualified by score at `at`): moves trigger leads to MQL at the trigger's time, then routes or holds one
 * hand-off per lead that has none open. Returns the hand-offs made and the leads a trigger moved to
 * MQL (for `recordActivities.newMqls`).
 */
export async function requestHandoffs(
  tx: DbOrTx,
  requests: HandoffRequest[],
  now: Date,
  /** Policies already read in this transaction (one ingestion batch asks twice), by agreement. */
  policies: Map<string, RevisionPolicy | null> = new Map(),
): Promise<{ outcomes: HandoffOutcome[]; movedToMql: string[] }> {
  const byAgreement = new Map<string, HandoffRequest[]>();
  for (const r of requests) byAgreement.set(r.agreementId, [...(byAgreement.get(r.agreementId) ?? []), r]);
  const outcomes: HandoffOutcome[] = [];
  const movedToMql: string[] = [];
  for (const agreementId of [...byAgreement.keys()].sort()) {
    const list = byAgreement.get(agreementId)!;
    if (!policies.has(agreementId)) policies.set(agreementId, await loadPolicy(tx, agreementId));
    const policy = policies.get(agreementId);
    if (!policy) continue;
    // One request per lead: a trigger wins over a plain MQL (it says why Sales should call now), and
    // the earliest trigger over later ones (it is when the lead asked).
    const chosen = new Map<string, HandoffRequest>();
    for (const r of list) {
      if (!wanted(policy, r.trigger)) continue;
      const seen = chosen.get(r.leadId);
      const isTrigger = (x: HandoffRequest) => x.trigger !== 'mql' && x.trigger !== 'manual';
      if (!seen || (isTrigger(r) && !isTrigger(seen)) || (isTrigger(r) === isTrigger(seen) && r.at < seen.at)) chosen.set(r.leadId, r);
    }
    // A lead that just qualified by score starts its MQL stuck-lead clock (idempotent: one running per lead).
    const scored = list.filter((r) => r.trigger === 'mql');
    await startClocks(tx, policy, 'time_in_stage', scored.map((r) => ({ leadId: r.leadId, ownerId: null, at: r.at, stage: 'mql' as const })));
    const result = await handOff(tx, policy, [...chosen.values()], now);
    outcomes.push(...result.outcomes);
    movedToMql.push(...result.movedToMql);
  }
  return { outcomes, movedToMql };
}

async function lockLeads(tx: DbOrTx, ids: string[]): Promise<LeadForHandoff[]> {
  return rows<LeadForHandoff>(
    tx,
    sql`select l.*, (select h.id from handoffs h where h.lead_id = l.id and h.state in ('held', 'routed')) as open_handoff
      from leads l where l.id = any(${pgArray(ids)}::uuid[]) order by l.id for update of l`,
  );
}

async function handOff(tx: DbOrTx, policy: RevisionPolicy, requests: HandoffRequest[], now: Date) {
  if (requests.length === 0) return { outcomes: [], movedToMql: [] };
  const requestOf = new Map(requests.map((r) => [r.leadId, r]));
  const leads = await lockLeads(tx, [...requestOf.keys()].sort());

  // 1. A trigger on a lead with Marketing moves it to MQL at the trigger's time, where the stage machine allows it.
  const moves = leads
    .filter((l) => (l.stage === 'lead' || l.stage === 'recycled') && policy.moves.some((m) => m.from === l.stage && m.to === 'mql'))
    .map((l) => ({ lead: l, at: requestInstant(requestOf.get(l.id)!, l, now) }));
  if (moves.length) {
    const trigger = (leadId: string) => requestOf.get(leadId)!.trigger;
    await tx.execute(sql`with m as (
        select * from unnest(${pgArray(moves.map((m) => m.lead.id))}::uuid[], ${pgArray(moves.map((m) => m.lead.stage))}::lifecycle_stage[],
          ${pgArray(moves.map((m) => m.at.toISOString()))}::timestamptz[], ${pgArray(moves.map((m) => trigger(m.lead.id)))}::text[]) as m(lead_id, from_stage, at, trigger)),
      moved as (
        update leads l set stage = 'mql', stage_changed_at = m.at, version = l.version + 1, updated_at = ${now.toISOString()}::timestamptz
        from m where l.id = m.lead_id returning l.id),
      logged as (
        insert into stage_transitions (lead_id, from_stage, to_stage, revision_id, actor_type, reason, occurred_at, recorded_at)
        select m.lead_id, m.from_stage, 'mql', ${policy.revisionId}::uuid, 'system', 'hand-off trigger: ' || m.trigger, m.at, ${now.toISOString()}::timestamptz
        from m order by m.lead_id returning 1)
      insert into outbox_events (event_type, lead_id, payload)
      select 'lead.mql', m.lead_id, jsonb_build_object('leadId', m.lead_id, 'fromStage', m.from_stage, 'trigger', m.trigger, 'at', m.at) from m order by m.lead_id`);
    for (const m of moves) {
      m.lead.stage = 'mql';
      m.lead.stage_changed_at = m.at;
    }
    await enteredStage(tx, policy, 'mql', moves.map((m) => ({ leadId: m.lead.id, at: m.at, fromStage: null })));
  }

  // 2. One hand-off per MQL without one open.
  const fresh = leads
    .filter((l) => l.stage === 'mql' && !l.open_handoff)
    .map((l) => {
      const request = requestOf.get(l.id)!;
      return { lead: l, handoffId: randomUUID(), trigger: request.trigger, activityId: request.activityId ?? null, requestedAt: requestInstant(request, l, now), ownerId: request.ownerId ?? null };
    });
  if (fresh.length) {
    await tx.execute(sql`insert into handoffs (id, lead_id, agreement_id, revision_id, trigger, trigger_activity_id, requested_at, state, checked_at)
      select v.id, v.lead_id, ${policy.agreementId}::uuid, ${policy.revisionId}::uuid, v.trigger, v.activity_id, v.requested_at, 'held', ${now.toISOString()}::timestamptz
      from unnest(${pgArray(fresh.map((f) => f.handoffId))}::uuid[], ${pgArray(fresh.map((f) => f.lead.id))}::uuid[], ${pgArray(fresh.map((f) => f.trigger))}::text[],
        ${pgArray(fresh.map((f) => f.activityId))}::bigint[], ${pgArray(fresh.map((f) => f.requestedAt.toISOString()))}::timestamptz[])
        as v(id, lead_id, trigger, activity_id, requested_at)
      order by v.lead_id`);
  }
  const outcomes = await dispatch(
    tx,
    policy,
    fresh.map((f) => ({ lead: f.lead, handoffId: f.handoffId, requestedAt: f.requestedAt, wasHeld: false, preferredOwner: f.ownerId })),
    now,
  );
  return { outcomes, movedToMql: moves.map((m) => m.lead.id) };
}

interface Pending {
  lead: LeadForHandoff;
  handoffId: string;
  requestedAt: Date;
  /** Held before: a routing now is a release, and Sales' clocks start now. */
  wasHeld: boolean;
  preferredOwner?: string | null;
}

/** Routes each pending hand-off to a rep, or holds it with the reason; writes the outcome everywhere it shows. */
async function dispatch(tx: DbOrTx, policy: RevisionPolicy, pending: Pending[], now: Date): Promise<HandoffOutcome[]> {
  if (pending.length === 0) return [];
  const router = await Router.load(tx, policy, now);
  const routed: (Pending & { ownerId: string; handedOffAt: Date })[] = [];
  const held: (Pending & { why: string[] })[] = [];
  for (const p of pending) {
    const missing = missingFields(p.lead, policy);
    const ownerId = missing.length ? null : (p.preferredOwner ?? router.next());
    if (ownerId) routed.push({ ...p, ownerId, handedOffAt: p.wasHeld ? new Date(Math.max(now.getTime(), p.requestedAt.getTime())) : p.requestedAt });
    else held.push({ ...p, why: missing.length ? missing : ['owner (no sales rep with capacity in the routing pool)'] });
  }
  const iso = now.toISOString();

  if (held.length) {
    const why = held.map((h) => `{${h.why.map((m) => JSON.stringify(m)).join(',')}}`);
    await tx.execute(sql`with v as (
        select * from unnest(${pgArray(held.map((h) => h.handoffId))}::uuid[], ${pgArray(held.map((h) => h.lead.id))}::uuid[], ${pgArray(why)}::text[])
          as v(handoff_id, lead_id, why)),
      h as (
        update handoffs h set state = 'held', held_at = coalesce(h.held_at, ${iso}::timestamptz), missing_fields = v.why::text[], checked_at = ${iso}::timestamptz
        from v where h.id = v.handoff_id returning 1)
      update leads l set handoff_status = 'held', handoff_missing_fields = v.why::text[], updated_at = ${iso}::timestamptz
      from v where l.id = v.lead_id and (l.handoff_status <> 'held' or l.handoff_missing_fields <> v.why::text[])`);
  }

  if (routed.length) {
    const ids = pgArray(routed.map((r) => r.lead.id));
    await tx.execute(sql`with v as (
        select * from unnest(${pgArray(routed.map((r) => r.handoffId))}::uuid[], ${ids}::uuid[], ${pgArray(routed.map((r) => r.ownerId))}::uuid[],
          ${pgArray(routed.map((r) => r.handedOffAt.toISOString()))}::timestamptz[], ${pgArray(routed.map((r) => String(r.wasHeld)))}::boolean[])
          as v(handoff_id, lead_id, owner_id, handed_off_at, was_held)),
      h as (
        update handoffs h set state = 'routed', owner_id = v.owner_id, handed_off_at = v.handed_off_at,
          released_at = case when v.was_held then ${iso}::timestamptz end, checked_at = ${iso}::timestamptz
        from v where h.id = v.handoff_id returning 1),
      n as (
        update nurture_enrolments e set status = 'exited', ended_at = v.handed_off_at, exit_reason = 'handed off to sales'
        from v where e.lead_id = v.lead_id and e.status = 'active' returning 1)
      update leads l set handoff_status = 'routed', handoff_missing_fields = '{}', owner_id = v.owner_id, handed_off_at = v.handed_off_at,
        version = l.version + 1, updated_at = ${iso}::timestamptz
      from v where l.id = v.lead_id`);
    const starts = routed.map((r) => ({ leadId: r.lead.id, ownerId: r.ownerId, at: r.handedOffAt, handoffId: r.handoffId }));
    // A lead handed off again (after a recycle) starts fresh: nothing of the last round is still open.
    await endClocks(tx, starts, CLOCK_ENDINGS.leftSales);
    const acceptance = await startClocks(tx, policy, 'acceptance', starts);
    // The response clock follows the owner's working hours when the agreement says so.
    const response = await startClocks(tx, policy, 'response', starts.map((s) => ({ ...s, calendar: router.calendarOf(s.ownerId) })));
    const due = (m: Map<string, Date>) => pgArray(routed.map((r) => m.get(r.lead.id)?.toISOString() ?? null));
    await tx.execute(sql`insert into outbox_events (event_type, lead_id, payload)
      select 'lead.handed_off', l.id, jsonb_build_object(
        'handoffId', h.id, 'leadId', l.id, 'ownerId', h.owner_id, 'trigger', h.trigger, 'requestedAt', h.requested_at, 'handedOffAt', h.handed_off_at,
        'release', case when h.released_at is null then null else jsonb_build_object('heldAt', h.held_at, 'releasedAt', h.released_at, 'missingFields', to_jsonb(h.missing_fields)) end,
        'acceptanceDueAt', d.acceptance_due, 'responseDueAt', d.response_due,
        'lead', jsonb_build_object('email', l.email, 'firstName', l.first_name, 'lastName', l.last_name, 'phone', l.phone, 'title', l.title,
          'companyName', l.company_name, 'source', l.source, 'stage', l.stage, 'temperature', l.temperature, 'fitGrade', l.fit_grade),
        'score', jsonb_build_object('fit', l.fit_score, 'interest', l.interest_score, 'total', l.fit_score + l.interest_score,
          -- by rule key: rows a later revision kept from an identical earlier rule are the same rule
          'breakdown', coalesce((select jsonb_agg(jsonb_build_object('rule', b.key, 'dimension', b.dimension, 'points', b.points))
            from (select r.key, s.dimension, sum(s.points)::int as points from score_ledger s left join scoring_rules r on r.id = s.rule_id
                  where s.lead_id = l.id group by r.key, s.dimension having sum(s.points) <> 0) b), '[]'::jsonb)),
        'recentActivities', coalesce((select jsonb_agg(jsonb_build_object('type', a.type, 'occurredAt', a.occurred_at, 'properties', a.properties))
            from (select * from activities where lead_id = l.id order by occurred_at desc limit ${policy.handoff.recentActivitiesInPayload}) a), '[]'::jsonb))
      from unnest(${ids}::uuid[], ${due(acceptance)}::timestamptz[], ${due(response)}::timestamptz[]) as d(lead_id, acceptance_due, response_due)
      join leads l on l.id = d.lead_id
      join handoffs h on h.lead_id = l.id and h.state = 'routed'
      order by l.id`);
  }

  return [
    ...routed.map((r) => ({ leadId: r.lead.id, handoffId: r.handoffId, status: 'routed' as const, ownerId: r.ownerId, missingFields: [] })),
    ...held.map((h) => ({ leadId: h.lead.id, handoffId: h.handoffId, status: 'held' as const, ownerId: null, missingFields: h.why })),
  ];
}

/**
 * Held hand-offs are tried again: after the lead got the missing information, or when a rep has
 * capacity again. Runs after lead changes and on every scheduler pass (longest unchecked first).
 * Clocks already running are left alone: a retry starts nothing twice.
 */
export async function retryHeldHandoffs(tx: DbOrTx, now: Date, leadIds?: readonly string[], limit = 500): Promise<HandoffOutcome[]> {
  const held = await rows<{ id: string; lead_id: string; agreement_id: string; requested_at: Date }>(
    tx,
    sql`select h.id, h.lead_id, l.agreement_id, h.requested_at from handoffs h join leads l on l.id = h.lead_id
      where h.state = 'held' and l.stage = 'mql' and l.agreement_id is not null
      ${leadIds ? sql`and h.lead_id = any(${pgArray([...leadIds])}::uuid[])` : sql``}
      order by h.checked_at nulls first, h.id limit ${limit}`,
  );
  if (held.length === 0) return [];
  // All the leads at once, in id order (as ingestion does): concurrent passes wait, never deadlock.
  const leads = new Map((await lockLeads(tx, [...new Set(held.map((h) => h.lead_id))].sort())).map((l) => [l.id, l]));
  const outcomes: HandoffOutcome[] = [];
  const byAgreement = new Map<string, typeof held>();
  for (const h of held) byAgreement.set(h.agreement_id, [...(byAgreement.get(h.agreement_id) ?? []), h]);
  for (const agreementId of [...byAgreement.keys()].sort()) {
    const policy = await loadPolicy(tx, agreementId);
    if (!policy) continue;
    // Read under the lock: a hand-off another request routed meanwhile is no longer held.
    const pending = byAgreement.get(agreementId)!.flatMap((h) => {
      const lead = leads.get(h.lead_id);
      return lead && lead.open_handoff === h.id && lead.stage === 'mql' && lead.handoff_status === 'held' && lead.agreement_id === agreementId
        ? [{ lead, handoffId: h.id, requestedAt: new Date(h.requested_at), wasHeld: true }]
        : [];
    });
    outcomes.push(...(await dispatch(tx, policy, pending, now)));
  }
  return outcomes;
}

/**
 * The lead entered a stage at its instant: the stuck-lead clock of the stage it left ends and the
 * new stage's starts (when the agreement sets a time limit for it).
 */
export async function enteredStage(tx: DbOrTx, policy: RevisionPolicy, stage: LifecycleStage, entries: { leadId: string; at: Date; ownerId?: string | null; fromStage: LifecycleStage | null }[]) {
  await endClocks(tx, entries, { met: ['time_in_stage'] });
  await startClocks(tx, policy, 'time_in_stage', entries.map((e) => ({ leadId: e.leadId, ownerId: e.ownerId ?? null, at: e.at, stage })));
}

/**
 * The open hand-off of a lead that leaves MQL is decided: ACCEPTED when it goes on to SQL or beyond,
 * REJECTED when a person sends it back (recycled or disqualified), WITHDRAWN otherwise (the cadence
 * recycled it, or it left while held). Returns the state for leads.handoff_status.
 */
export async function decideHandoff(
  tx: DbOrTx,
  leadId: string,
  move: { to: LifecycleStage; actorType: 'system' | 'user'; at: Date },
): Promise<'accepted' | 'rejected' | 'none' | null> {
  const [open] = await rows<{ id: string; state: string }>(tx, sql`select id, state from handoffs where lead_id = ${leadId}::uuid and state in ('held', 'routed')`);
  if (!open) return null;
  const state =
    open.state === 'held' ? 'withdrawn'
    : move.to === 'sql' || move.to === 'opportunity' || move.to === 'customer' ? 'accepted'
    : (move.to === 'recycled' || move.to === 'disqualified') && move.actorType === 'user' ? 'rejected'
    : 'withdrawn';
  await tx.execute(sql`update handoffs set state = ${state}::handoff_state, decided_at = ${move.at.toISOString()}::timestamptz where id = ${open.id}::uuid`);
  return state === 'withdrawn' ? 'none' : state;
}

/** A contact attempt: the lead's latest hand-off records its first contact. */
export async function recordFirstContact(tx: DbOrTx, leadId: string, at: Date): Promise<void> {
  await tx.execute(sql`update handoffs set first_contact_at = ${at.toISOString()}::timestamptz
    where id = (select id from handoffs where lead_id = ${leadId}::uuid and handed_off_at is not null and handed_off_at <= ${at.toISOString()}::timestamptz
                order by handed_off_at desc limit 1)
      and (first_contact_at is null or first_contact_at > ${at.toISOString()}::timestamptz)`);
}

/** The hand-off a lead is with Sales under: its latest routed or accepted one. */
export async function currentHandoffId(tx: DbOrTx, leadId: string): Promise<string | null> {
  const [row] = await rows<{ id: string }>(
    tx,
    sql`select id from handoffs where lead_id = ${leadId}::uuid and state in ('routed', 'accepted') order by handed_off_at desc nulls last limit 1`,
  );
  return row?.id ?? null;
}
