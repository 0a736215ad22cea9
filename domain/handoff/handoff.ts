import { sql } from 'drizzle-orm';
import { rows, type DbOrTx } from '../../db/client';
import { startClock } from '../clocks/sla-clocks';
import type { RevisionPolicy } from './context';
import { Router } from './routing';

// Marketing → Sales. A lead is handed off when it becomes MQL by score (if the agreement says so)
// or at once on a bottom-of-funnel trigger. The hand-off is held, with the missing fields listed,
// when the lead lacks information Sales agreed to receive. Otherwise it is routed to a rep, the
// acceptance and response clocks start, any nurture enrolment ends, and lead.handed_off is emitted
// with the score breakdown and recent activities.

const COLUMN: Record<string, string> = {
  email: 'email', phone: 'phone', first_name: 'first_name', last_name: 'last_name', title: 'title', seniority: 'seniority',
  department: 'department', company_name: 'company_name', company_size: 'company_size', industry: 'industry', country: 'country',
};

export interface HandoffOutcome {
  leadId: string;
  status: 'routed' | 'held';
  ownerId: string | null;
  missingFields: string[];
}

type LeadForHandoff = Record<string, unknown> & { id: string; stage: string; handoff_status: string; attributes: Record<string, unknown> };

function missingFields(lead: LeadForHandoff, policy: RevisionPolicy): string[] {
  return policy.handoff.requiredFields
    .filter(({ field }) => {
      const value = field.startsWith('attributes.') ? lead.attributes?.[field.slice(11)] : lead[COLUMN[field] ?? field];
      return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
    })
    .map((f) => f.field);
}

export async function handOffLeads(
  tx: DbOrTx,
  policy: RevisionPolicy,
  requests: { leadId: string; trigger: string; at?: Date }[],
  defaultAt: Date,
): Promise<HandoffOutcome[]> {
  if (requests.length === 0) return [];
  const ids = [...new Set(requests.map((r) => r.leadId))].sort();
  const leads = await rows<LeadForHandoff>(tx, sql`select * from leads where id = any(${`{${ids.join(',')}}`}::uuid[]) order by id for update`);
  const router = await Router.load(tx, policy);
  const outcomes: HandoffOutcome[] = [];
  for (const lead of leads) {
    // Already with Sales: nothing to do.
    if (lead.handoff_status === 'routed' || lead.handoff_status === 'accepted') continue;
    const request = requests.find((r) => r.leadId === lead.id)!;
    const trigger = request.trigger;
    const at = request.at ?? defaultAt;
    let stage = lead.stage;
    if (stage === 'lead' || stage === 'recycled') {
      // A trigger hands off at once: the lead becomes MQL first, if the stage machine allows it.
      if (!policy.moves.some((m) => m.from === stage && m.to === 'mql')) continue;
      // The move is never dated before the lead entered its current stage: a trigger that happened
      // before the lead was created or recycled (sent late, or racing that move) would otherwise put
      // the transition before the previous one. The hand-off clocks still count from the request.
      const movedAt = new Date(Math.max(at.getTime(), new Date(lead.stage_changed_at as string).getTime()));
      await tx.execute(sql`update leads set stage = 'mql', stage_changed_at = ${movedAt.toISOString()}::timestamptz, version = version + 1 where id = ${lead.id}::uuid`);
      await tx.execute(sql`insert into stage_transitions (lead_id, from_stage, to_stage, revision_id, actor_type, reason, occurred_at)
        values (${lead.id}::uuid, ${stage}, 'mql', ${policy.revisionId}::uuid, 'system', ${`hand-off trigger: ${trigger}`}, ${movedAt.toISOString()}::timestamptz)`);
      await tx.execute(sql`insert into outbox_events (event_type, lead_id, payload) values ('lead.mql', ${lead.id}::uuid,
        ${JSON.stringify({ leadId: lead.id, fromStage: stage, trigger, at: movedAt.toISOString() })}::jsonb)`);
      stage = 'mql';
    }
    if (stage !== 'mql') continue;
    // The stuck-lead clock for MQL runs whether the hand-off is routed or held.
    await startClock(tx, policy, { id: lead.id, ownerId: null }, 'time_in_stage', at, 'mql');
    const missing = missingFields(lead, policy);
    const ownerId = missing.length ? null : router.next();
    if (!ownerId) {
      const why = missing.length ? missing : ['owner (no sales rep with capacity in the routing pool)'];
      await tx.execute(sql`update leads set handoff_status = 'held', handoff_missing_fields = ${`{${why.map((m) => JSON.stringify(m)).join(',')}}`}::text[], updated_at = now()
        where id = ${lead.id}::uuid`);
      outcomes.push({ leadId: lead.id, status: 'held', ownerId: null, missingFields: why });
      continue;
    }
    await tx.execute(sql`update leads set handoff_status = 'routed', handoff_missing_fields = '{}', owner_id = ${ownerId}::uuid,
        handed_off_at = ${at.toISOString()}::timestamptz, version = version + 1, updated_at = now()
      where id = ${lead.id}::uuid`);
    await tx.execute(sql`update nurture_enrolments set status = 'exited', ended_at = ${at.toISOString()}::timestamptz, exit_reason = 'handed off to sales'
      where lead_id = ${lead.id}::uuid and status = 'active'`);
    const acceptanceDue = await startClock(tx, policy, { id: lead.id, ownerId }, 'acceptance', at);
    const responseDue = await startClock(tx, policy, { id: lead.id, ownerId }, 'response', at);
    await tx.execute(sql`insert into outbox_events (event_type, lead_id, payload)
      select 'lead.handed_off', l.id, jsonb_build_object(
        'leadId', l.id, 'ownerId', l.owner_id, 'trigger', ${trigger}::text, 'handedOffAt', l.handed_off_at,
        'acceptanceDueAt', ${acceptanceDue?.toISOString() ?? null}::timestamptz, 'responseDueAt', ${responseDue?.toISOString() ?? null}::timestamptz,
        'lead', jsonb_build_object('email', l.email, 'firstName', l.first_name, 'lastName', l.last_name, 'phone', l.phone, 'title', l.title,
          'companyName', l.company_name, 'source', l.source, 'stage', l.stage, 'temperature', l.temperature, 'fitGrade', l.fit_grade),
        'score', jsonb_build_object('fit', l.fit_score, 'interest', l.interest_score, 'total', l.fit_score + l.interest_score,
          'breakdown', coalesce((select jsonb_agg(jsonb_build_object('rule', r.key, 'dimension', b.dimension, 'points', b.points))
            from (select rule_id, dimension, sum(points)::int as points from score_ledger where lead_id = l.id group by rule_id, dimension having sum(points) <> 0) b
            left join scoring_rules r on r.id = b.rule_id), '[]'::jsonb)),
        'recentActivities', coalesce((select jsonb_agg(jsonb_build_object('type', a.type, 'occurredAt', a.occurred_at, 'properties', a.properties))
            from (select * from activities where lead_id = l.id order by occurred_at desc limit ${policy.handoff.recentActivitiesInPayload}) a), '[]'::jsonb))
      from leads l where l.id = ${lead.id}::uuid`);
    outcomes.push({ leadId: lead.id, status: 'routed', ownerId, missingFields: [] });
  }
  return outcomes;
}
