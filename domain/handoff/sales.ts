import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { rows, type Db } from '../../db/client';
import { contactChannels, contactOutcomes } from '../../db/schema/enums';
import { contactAttempts, leads, nurtureWorkflows } from '../../db/schema/index';
import type { Principal } from '../auth/api-keys';
import { pgArray } from '../../db/pg-array';
import { CLOCK_ENDINGS, endClocks, startClock } from '../clocks/sla-clocks';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { applyMove, checkExpectations, isHiddenFrom, lockLead } from '../leads/stage';
import { enrol } from '../nurture/nurture';
import { parseInput } from '../validation';
import { cadenceFlags, endsCadence, nextAttemptDue, PROGRESS_OUTCOMES } from './cadence';
import { currentHandoffId, recordFirstContact } from './handoff';

// What Sales does with a hand-off: accept it (→ SQL) or reject it with a reason, log contact
// attempts as the cadence says, recycle or disqualify with a reason, put a lead into nurture.
// A rep acts on its own leads only; admins on any. To a rep another rep's lead does not exist:
// lockLead(…, actor) answers NotFound for it, exactly as for a missing lead, before any other check.

type Lead = typeof leads.$inferSelect;

function mayAct(actor: Principal, lead: Lead) {
  if (actor.role === 'admin') return;
  if (actor.role !== 'sales') throw new ForbiddenError('only sales reps (and admins) work leads');
  if (isHiddenFrom(actor, lead)) throw new NotFoundError('Lead', lead.id); // lockLead already refused it
}

const leadRef = z.object({ leadId: z.string().uuid('not a lead id'), expectedVersion: z.number().int().positive().nullable().optional() });
const reasonRef = leadRef.extend({ reasonCode: z.string().trim().min(1, 'a reason code is required'), reason: z.string().trim().max(2000).nullable().optional() });

export async function acceptLead(db: Db, actor: Principal, input: unknown, now?: Date) {
  const args = parseInput(leadRef, input);
  return db.transaction(async (tx) => {
    const { lead, policy } = await lockLead(tx, args.leadId, actor);
    mayAct(actor, lead);
    checkExpectations(lead, args);
    if (lead.handoffStatus !== 'routed') throw new ConflictError(`there is no open hand-off to accept (hand-off is ${lead.handoffStatus})`);
    return applyMove(tx, lead, policy, { to: 'sql', actorType: 'user', actorUserId: actor.userId, at: now ?? new Date(), reason: 'accepted by sales' });
  });
}

export async function rejectLead(db: Db, actor: Principal, input: unknown, now?: Date) {
  const args = parseInput(reasonRef, input);
  return db.transaction(async (tx) => {
    const { lead, policy } = await lockLead(tx, args.leadId, actor);
    mayAct(actor, lead);
    checkExpectations(lead, args);
    if (lead.handoffStatus !== 'routed') throw new ConflictError(`there is no open hand-off to reject (hand-off is ${lead.handoffStatus})`);
    return applyMove(tx, lead, policy, {
      to: 'recycled', actorType: 'user', actorUserId: actor.userId, reasonCode: args.reasonCode, reason: args.reason, at: now ?? new Date(),
      eventType: 'lead.rejected', recycleTrigger: 'rejected',
    });
  });
}

export async function recycleLead(db: Db, actor: Principal, input: unknown, now?: Date) {
  const args = parseInput(reasonRef, input);
  return db.transaction(async (tx) => {
    const { lead, policy } = await lockLead(tx, args.leadId, actor);
    mayAct(actor, lead);
    checkExpectations(lead, args);
    return applyMove(tx, lead, policy, { to: 'recycled', actorType: 'user', actorUserId: actor.userId, reasonCode: args.reasonCode, reason: args.reason, at: now ?? new Date(), recycleTrigger: 'manual' });
  });
}

export async function disqualifyLead(db: Db, actor: Principal, input: unknown, now?: Date) {
  const args = parseInput(reasonRef, input);
  return db.transaction(async (tx) => {
    const { lead, policy } = await lockLead(tx, args.leadId, actor);
    mayAct(actor, lead);
    checkExpectations(lead, args);
    return applyMove(tx, lead, policy, { to: 'disqualified', actorType: 'user', actorUserId: actor.userId, reasonCode: args.reasonCode, reason: args.reason, at: now ?? new Date() });
  });
}

const attemptSchema = z.object({
  leadId: z.string().uuid('not a lead id'),
  channel: z.enum(contactChannels),
  outcome: z.enum(contactOutcomes),
  occurredAt: z.date().optional(),
  notes: z.string().max(4000).nullable().optional(),
});

/**
 * Logs a contact attempt. The first attempt meets the response clock; each attempt meets the
 * cadence-interval clock and starts the next one, unless the outcome ends the follow-up; cadence
 * breaks are flagged; after the maximum attempts without progress the lead goes back to Marketing
 * with the agreement's reason and its nurture workflow.
 */
export async function logContactAttempt(db: Db, actor: Principal, input: unknown, now?: Date) {
  const args = parseInput(attemptSchema, input);
  return db.transaction(async (tx) => {
    const { lead, policy } = await lockLead(tx, args.leadId, actor);
    mayAct(actor, lead);
    if (!['mql', 'sql', 'opportunity'].includes(lead.stage)) throw new ConflictError(`the lead is ${lead.stage}: contact attempts are for leads with Sales`);
    if (lead.stage === 'mql' && lead.handoffStatus !== 'routed')
      throw new ConflictError(`the lead's hand-off is ${lead.handoffStatus}: contact attempts start once it is routed to a rep`);
    // Read the clock after the lock: a request that waited for another one is dated after it.
    const current = now ?? new Date();
    const at = args.occurredAt ?? current;
    if (at.getTime() > current.getTime() + 60_000) throw new ValidationError([{ field: 'input.occurredAt', message: 'is in the future' }]);
    const handoffId = await currentHandoffId(tx, lead.id);
    const since = lead.handedOffAt ?? new Date(0);
    const [history] = await rows<{ n: number; last_at: Date | null; ended: number }>(
      tx,
      sql`select count(*)::int as n, max(occurred_at) as last_at,
          count(*) filter (where outcome = any(${pgArray(policy.cadence?.endingOutcomes ?? [...PROGRESS_OUTCOMES])}::contact_outcome[]))::int as ended
        from contact_attempts where lead_id = ${lead.id}::uuid and occurred_at >= ${since.toISOString()}::timestamptz
          -- a hand-off dated at its trigger event can predate the recycle that ended the previous
          -- one (an event sent late, or racing that recycle): the attempts of that round do not count in this one
          and occurred_at > coalesce((select max(t.occurred_at) from stage_transitions t
            where t.lead_id = ${lead.id}::uuid and t.to_stage = 'recycled'), '-infinity'::timestamptz)`,
    );
    const number = history!.n + 1;
    const previousAt = history!.last_at ? new Date(history!.last_at) : null;
    // Attempts are logged in order, within the hand-off: a backdated one would meet clocks that had
    // not started, or rewrite a cadence already judged.
    if (lead.handedOffAt && at < lead.handedOffAt)
      throw new ValidationError([{ field: 'input.occurredAt', message: `is before the hand-off (${lead.handedOffAt.toISOString()})` }]);
    if (previousAt && at < previousAt)
      throw new ValidationError([{ field: 'input.occurredAt', message: `is before the previous attempt (${previousAt.toISOString()}): log attempts in the order they happened` }]);
    const flags = policy.cadence ? cadenceFlags(policy.cadence, policy.calendar, { channel: args.channel, at, number }, previousAt, lead.handedOffAt) : [];
    const [attempt] = await tx
      .insert(contactAttempts)
      .values({ leadId: lead.id, userId: actor.userId, channel: args.channel, outcome: args.outcome, occurredAt: at, notes: args.notes ?? null, attemptNumber: number, cadenceFlags: flags })
      .returning();
    const stop = [{ leadId: lead.id, at }];
    await endClocks(tx, stop, CLOCK_ENDINGS.contactAttempt);
    await recordFirstContact(tx, lead.id, at);
    // An outcome that ends the follow-up (the cadence's ending outcomes: replied, meeting booked…),
    // now or earlier in this round, leaves nothing due: no next attempt, no cadence clock, no recycle.
    const ended = history!.ended > 0 || endsCadence(policy.cadence, args.outcome);
    let recycled = false;
    let followUpDueBy: Date | null = null;
    const rule = policy.recycleRules.find((r) => r.trigger === 'max_attempts');
    // Without a MAX_ATTEMPTS rule (activation requires one) the attempt is kept and nothing moves.
    if (rule && policy.cadence && number >= policy.cadence.maxAttempts && !ended && (lead.stage === 'mql' || lead.stage === 'sql')) {
      await applyMove(tx, lead, policy, {
        to: 'recycled', actorType: 'system', reasonCode: rule.reasonCode, reason: `${number} attempts without progress`, at,
        recycleTrigger: 'max_attempts',
      });
      recycled = true;
    } else if (!ended && policy.cadence && number < policy.cadence.maxAttempts) {
      followUpDueBy = await startClock(tx, policy, 'cadence_interval', { leadId: lead.id, ownerId: lead.ownerId, at, handoffId });
    }
    const nextDueAt = !recycled && policy.cadence && !ended ? nextAttemptDue(policy.cadence, policy.calendar, at, number) : null;
    return { attempt: attempt!, recycled, nextDueAt, followUpDueBy };
  });
}

const enrolSchema = z.object({ leadId: z.string().uuid('not a lead id'), workflowKey: z.string().trim().min(1, 'name the workflow') });

/** Sales puts one of its leads into a nurture workflow by hand. */
export async function enrolLead(db: Db, actor: Principal, input: unknown) {
  const args = parseInput(enrolSchema, input);
  return db.transaction(async (tx) => {
    const { lead, policy } = await lockLead(tx, args.leadId, actor);
    const [workflow] = await tx.select().from(nurtureWorkflows).where(sql`${nurtureWorkflows.revisionId} = ${policy.revisionId} and ${nurtureWorkflows.key} = ${args.workflowKey}`);
    if (!workflow) throw new ValidationError([{ field: 'input.workflowKey', message: `no nurture workflow "${args.workflowKey}" in the agreement` }]);
    if (!workflow.active) throw new ValidationError([{ field: 'input.workflowKey', message: `the workflow "${args.workflowKey}" is paused` }]);
    const id = await enrol(tx, { leadId: lead.id, workflowId: workflow.id, source: 'manual', enrolledById: actor.userId, at: new Date() });
    if (!id) throw new ValidationError([{ field: 'input.workflowKey', message: 'the workflow has no steps' }]);
    return { enrolmentId: id, lead };
  });
}

