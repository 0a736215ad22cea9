import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { rows, type Db, type DbOrTx } from '../../db/client';
import { activityTypes } from '../../db/schema/enums';
import { ValidationError, type FieldProblem } from '../errors';
import { loadRevisionRules, reconcileScores, type RevisionRules } from '../scoring/reconcile';
import { parseInput } from '../validation';
import { LATE_TRIGGER_LIMIT_MS, requestHandoffs, type HandoffOutcome, type HandoffRequest } from '../handoff/handoff';
import type { RevisionPolicy } from '../handoff/context';
import { enrolByRule } from '../nurture/nurture';
import { activeAgreements, agreementFor } from './agreement-for-lead';
import { emailSchema, leadFieldsSchema } from './lead-input';

// Activity ingestion: a batch of up to 1,000 events in one transaction. The client event id makes
// it idempotent: a retried event (whole batch, part of it, or concurrently) inserts nothing and
// scores nothing. Leads are locked in id order, so concurrent batches on the same lead serialise
// instead of losing or double-counting points.

export const MAX_EVENTS_PER_BATCH = 1_000;

const eventSchema = z.object({
  clientEventId: z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters'),
  type: z.enum(activityTypes),
  occurredAt: z.date().refine((d) => d.getTime() <= Date.now() + 5 * 60_000, 'is in the future'),
  leadId: z.string().uuid('not a lead id').nullable().optional(),
  email: emailSchema.nullable().optional(),
  externalId: z.string().trim().min(1).max(200).nullable().optional(),
  /** Fields for a lead the event creates. */
  lead: leadFieldsSchema.nullable().optional(),
  properties: z.record(z.string(), z.unknown()).default({}),
  sourceSystem: z.string().trim().max(100).nullable().optional(),
});

const batchSchema = z
  .array(eventSchema)
  .min(1, 'send at least one event')
  .max(MAX_EVENTS_PER_BATCH, `at most ${MAX_EVENTS_PER_BATCH} events per batch`);

export type ActivityEvent = z.input<typeof eventSchema>;

export interface EventResult {
  clientEventId: string;
  /** RECORDED the first time, DUPLICATE when the client event id was seen before. */
  status: 'recorded' | 'duplicate';
  leadId: string;
  activityId: number | null;
  leadCreated: boolean;
}

export interface IngestResult {
  results: EventResult[];
  recorded: number;
  duplicates: number;
  leadsCreated: number;
  newMqls: string[];
  handoffs: HandoffOutcome[];
}

interface LeadRef {
  id: string;
  email: string;
  external_id: string | null;
  agreement_id: string | null;
}

export async function recordActivities(db: Db, input: unknown, now = new Date()): Promise<IngestResult> {
  const events = parseInput(batchSchema, input, 'input.events');
  const problems: FieldProblem[] = [];
  events.forEach((e, i) => {
    if (!e.leadId && !e.email && !e.externalId) problems.push({ field: `input.events[${i}]`, message: 'identify the lead: leadId, email or externalId' });
  });
  const seen = new Map<string, number>();
  events.forEach((e, i) => {
    const first = seen.get(e.clientEventId);
    if (first !== undefined && JSON.stringify(events[first]) !== JSON.stringify(e))
      problems.push({ field: `input.events[${i}].clientEventId`, message: `reused by a different event (index ${first})` });
    seen.set(e.clientEventId, i);
  });
  if (problems.length) throw new ValidationError(problems);

  return db.transaction(async (tx) => {
    const agreements = await activeAgreements(tx);
    const { leadOf, created } = await resolveLeads(tx, events, agreements, now);
    const ids = [...new Set(events.map((_, i) => leadOf[i]!))].sort();
    // Lock in a fixed order: batches that share leads wait for each other, never deadlock.
    const locked = await rows<{ id: string; agreement_id: string | null }>(
      tx,
      sql`select id, agreement_id from leads where id = any(${`{${ids.join(',')}}`}::uuid[]) order by id for update`,
    );

    const fresh = await insertActivities(tx, events, leadOf);
    const touched = [...new Set(fresh.map((f) => f.leadId))];
    if (touched.length) {
      await tx.execute(sql`
        update leads l set last_activity_at = greatest(l.last_activity_at, a.latest), updated_at = now()
        from (select lead_id, max(occurred_at) as latest from activities where id = any(${`{${fresh.map((f) => f.id).join(',')}}`}::bigint[]) group by lead_id) a
        where l.id = a.lead_id`);
    }

    // Hand-offs: a fresh bottom-of-funnel event moves its lead to MQL at the event's time (before
    // scoring, so the move is the trigger's, not the score's), then scoring may qualify others at `now`.
    const agreementOf = new Map(locked.map((l) => [l.id, l.agreement_id]));
    const eventOf = new Map(events.map((e) => [e.clientEventId, e]));
    const triggers: HandoffRequest[] = fresh.flatMap((f) => {
      const e = eventOf.get(f.clientEventId)!;
      const agreementId = agreementOf.get(f.leadId);
      if (!agreementId) return [];
      // Events older than 30 days are history being imported: their hand-off starts now, so an
      // import does not open SLA clocks that breached long ago.
      const at = now.getTime() - e.occurredAt.getTime() > LATE_TRIGGER_LIMIT_MS ? now : e.occurredAt;
      return [{ leadId: f.leadId, agreementId, trigger: e.type, at, activityId: f.id }];
    });
    const policies = new Map<string, RevisionPolicy | null>();
    const byTrigger = await requestHandoffs(tx, triggers, now, policies);

    // Score the leads that got new activities or were just created, under their agreement's revision.
    const toScore = new Set([...touched, ...created]);
    const byRevision = new Map<string, string[]>();
    const revisionOf = new Map(agreements.map((a) => [a.id, a.activeRevisionId]));
    for (const lead of locked) {
      if (!toScore.has(lead.id) || !lead.agreement_id) continue;
      const revision = revisionOf.get(lead.agreement_id);
      if (revision) byRevision.set(revision, [...(byRevision.get(revision) ?? []), lead.id]);
    }
    const byScore: string[] = [];
    for (const [revisionId, leadIds] of byRevision) {
      const rules: RevisionRules = await loadRevisionRules(tx, revisionId, { inForce: true });
      const result = await reconcileScores(tx, rules, leadIds, { at: now, qualify: true });
      byScore.push(...result.newMqls);
    }
    const byMql = await requestHandoffs(tx, byScore.map((leadId) => ({ leadId, agreementId: agreementOf.get(leadId)!, trigger: 'mql', at: now })), now, policies);
    const newMqls = [...new Set([...byTrigger.movedToMql, ...byScore])].sort();
    const handoffs = [...byTrigger.outcomes, ...byMql.outcomes];

    const freshByEvent = new Map(fresh.map((f) => [f.clientEventId, f.id]));
    const results: EventResult[] = events.map((e, i) => ({
      clientEventId: e.clientEventId,
      status: freshByEvent.has(e.clientEventId) ? 'recorded' : 'duplicate',
      leadId: leadOf[i]!,
      activityId: freshByEvent.get(e.clientEventId) ?? null,
      leadCreated: created.has(leadOf[i]!),
    }));
    // An id repeated inside one batch is recorded once: later copies are duplicates.
    const reported = new Set<string>();
    for (const r of results) {
      if (r.status === 'recorded' && reported.has(r.clientEventId)) {
        r.status = 'duplicate';
        r.activityId = null;
      }
      reported.add(r.clientEventId);
    }
    return {
      results,
      recorded: fresh.length,
      duplicates: events.length - fresh.length,
      leadsCreated: created.size,
      newMqls,
      handoffs,
    };
  });
}

async function insertActivities(tx: DbOrTx, events: z.output<typeof eventSchema>[], leadOf: string[]) {
  const values = events.map(
    (e, i) => sql`(${e.clientEventId}, ${leadOf[i]}::uuid, ${e.type}::activity_type, ${e.occurredAt.toISOString()}::timestamptz, ${JSON.stringify(e.properties)}::jsonb, ${e.sourceSystem ?? null})`,
  );
  const inserted = await rows<{ id: number; client_event_id: string; lead_id: string }>(
    tx,
    sql`insert into activities (client_event_id, lead_id, type, occurred_at, properties, source_system)
      values ${sql.join(values, sql`, `)}
      on conflict (client_event_id) do nothing
      returning id, client_event_id, lead_id`,
  );
  return inserted.map((r) => ({ id: Number(r.id), clientEventId: r.client_event_id, leadId: r.lead_id }));
}

/** Finds every event's lead, creating unknown ones from the event's identity where allowed. */
async function resolveLeads(tx: DbOrTx, events: z.output<typeof eventSchema>[], agreements: Awaited<ReturnType<typeof activeAgreements>>, now: Date) {
  const ids = events.map((e) => e.leadId).filter((v): v is string => !!v);
  const emails = events.map((e) => e.email).filter((v): v is string => !!v);
  const externals = events.map((e) => e.externalId).filter((v): v is string => !!v);
  const find = () =>
    rows<LeadRef>(
      tx,
      sql`select id, lower(email) as email, external_id, agreement_id from leads
        where id = any(${`{${ids.join(',')}}`}::uuid[])
           or lower(email) = any(${`{${emails.map((e) => JSON.stringify(e)).join(',')}}`}::text[])
           or external_id = any(${`{${externals.map((e) => JSON.stringify(e)).join(',')}}`}::text[])`,
    );
  let known = await find();
  const lookup = (e: z.output<typeof eventSchema>) =>
    known.find((l) => (e.leadId && l.id === e.leadId) || (e.externalId && l.external_id === e.externalId) || (e.email && l.email === e.email));

  const problems: FieldProblem[] = [];
  const toCreate = new Map<string, z.output<typeof eventSchema>>();
  events.forEach((e, i) => {
    if (lookup(e)) return;
    if (e.leadId && !e.email) return void problems.push({ field: `input.events[${i}].leadId`, message: `no lead ${e.leadId}` });
    if (!e.email) return void problems.push({ field: `input.events[${i}].email`, message: 'an unknown lead needs an e-mail to be created' });
    if (!toCreate.has(e.email)) toCreate.set(e.email, e);
  });

  const created = new Set<string>();
  if (toCreate.size > 0) {
    const rulesByAgreement = await rows<{ agreement_id: string; create_unknown_leads: boolean }>(
      tx,
      sql`select a.id as agreement_id, coalesce(h.create_unknown_leads, true) as create_unknown_leads
        from sla_agreements a left join handoff_settings h on h.revision_id = a.active_revision_id where a.status = 'active'`,
    );
    const allowed = new Map(rulesByAgreement.map((r) => [r.agreement_id, r.create_unknown_leads]));
    // A lead created by events is dated at its earliest event: it existed when it acted, even when
    // we hear of it late (a late demo request then reads, and is timed, as it happened).
    const firstSeen = new Map<string, number>();
    for (const e of events) {
      if (!e.email) continue;
      const t = Math.min(e.occurredAt.getTime(), now.getTime());
      firstSeen.set(e.email, Math.min(firstSeen.get(e.email) ?? Infinity, t));
    }
    const values = [];
    const agreementOfNew = new Map<string, string | null>();
    for (const [email, e] of [...toCreate].sort(([a], [b]) => a.localeCompare(b))) {
      const createdAt = new Date(firstSeen.get(email) ?? now.getTime()).toISOString();
      const fields = { ...(e.lead ?? {}), email, source: e.lead?.source ?? e.sourceSystem ?? 'direct' };
      const agreement = agreementFor(agreements, fields as Record<string, unknown>);
      agreementOfNew.set(email, agreement?.id ?? null);
      if (agreement && allowed.get(agreement.id) === false) {
        problems.push({ field: `input.events[${events.indexOf(e)}].email`, message: `no lead ${email}, and the agreement does not create leads from events` });
        continue;
      }
      const f = e.lead ?? {};
      values.push(
        sql`(${email}, ${e.externalId ?? f.externalId ?? null}, ${f.firstName ?? null}, ${f.lastName ?? null}, ${f.phone ?? null}, ${f.title ?? null}, ${f.seniority ?? null},
          ${f.department ?? null}, ${f.companyName ?? null}, ${f.companySize ?? null}, ${f.industry ?? null}, ${f.country ?? null}, ${f.source ?? e.sourceSystem ?? 'direct'},
          ${JSON.stringify(f.attributes ?? {})}::jsonb, ${agreement?.id ?? null}::uuid,
          (select id from accounts where lower(domain) = ${email.slice(email.lastIndexOf('@') + 1)}), ${createdAt}::timestamptz, ${createdAt}::timestamptz)`,
      );
    }
    if (problems.length) throw new ValidationError(problems);
    const inserted = await rows<{ id: string; email: string }>(
      tx,
      sql`insert into leads (email, external_id, first_name, last_name, phone, title, seniority, department, company_name, company_size, industry, country, source, attributes, agreement_id, account_id, created_at, stage_changed_at)
        values ${sql.join(values, sql`, `)}
        on conflict do nothing
        returning id, email`,
    );
    if (inserted.length) {
      await tx.execute(sql`insert into stage_transitions (lead_id, from_stage, to_stage, actor_type, reason, occurred_at, revision_id)
        select l.id, null, 'lead', 'system', 'created from an activity event', l.created_at, a.active_revision_id
        from leads l left join sla_agreements a on a.id = l.agreement_id
        where l.id = any(${`{${inserted.map((r) => r.id).join(',')}}`}::uuid[])`);
    }
    for (const r of inserted) created.add(r.id);
    for (const agreement of agreements) {
      const mine = inserted.filter((r) => agreementOfNew.get(r.email) === agreement.id).map((r) => r.id);
      await enrolByRule(tx, agreement.activeRevisionId, mine, 'new_lead', now);
    }
    known = await find();
  }
  if (problems.length) throw new ValidationError(problems);
  const leadOf = events.map((e, i) => {
    const lead = lookup(e);
    if (!lead) throw new ValidationError([{ field: `input.events[${i}]`, message: 'the lead could not be found or created' }]);
    return lead.id;
  });
  return { leadOf, created };
}
