import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, DbOrTx } from '../../db/client';
import { lifecycleStages, type LifecycleStage } from '../../db/schema/enums';
import { leads, outboxEvents, stageTransitions } from '../../db/schema/index';
import type { Principal } from '../auth/api-keys';
import { CLOCK_ENDINGS, endClocks, SALES_STAGES } from '../clocks/sla-clocks';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { loadPolicy, type RevisionPolicy } from '../handoff/context';
import { decideHandoff, enteredStage, requestHandoffs } from '../handoff/handoff';
import { enrolByRule, enrolOnRecycle } from '../nurture/nurture';
import { checkMove } from '../stages/machine';
import { parseInput } from '../validation';

type LeadRow = typeof leads.$inferSelect;

const EVENT_FOR_STAGE: Partial<Record<LifecycleStage, string>> = {
  mql: 'lead.mql',
  sql: 'lead.accepted',
  recycled: 'lead.recycled',
  disqualified: 'lead.disqualified',
};

export interface MoveOptions {
  to: LifecycleStage;
  actorType: 'system' | 'user';
  actorUserId?: string | null;
  /** The mover's role, when a person moved it. */
  actorRole?: string;
  reasonCode?: string | null;
  reason?: string | null;
  at: Date;
  /** The event to emit instead of the stage's default (e.g. lead.rejected). */
  eventType?: string;
  /** What sent the lead back, for the recycle rules: manual, max_attempts, rejected… */
  recycleTrigger?: string;
  /** Extra lead columns to set with the move (hand-off status…). */
  set?: Partial<typeof leads.$inferInsert>;
}

/**
 * Moves a locked lead, as the agreement's stage machine allows, with everything that follows:
 * the transition row, the event, the SLA clocks and, for a recycle, the nurture enrolment.
 */
export async function applyMove(tx: DbOrTx, lead: LeadRow, policy: RevisionPolicy, requested: MoveOptions): Promise<LeadRow> {
  // A move is never dated before the lead entered its current stage (a request that read the clock
  // and then waited for another request's lock would otherwise write history backwards).
  const move = { ...requested, at: new Date(Math.max(requested.at.getTime(), new Date(lead.stageChangedAt).getTime())) };
  const codes = new Set(policy.reasonCodes.map((c) => c.code));
  // Moves made by the agreement's own rules (recycle after max attempts) count as a person's.
  const problems = checkMove(policy.moves, { from: lead.stage, to: move.to, actor: 'user', reasonCode: move.reasonCode }, codes);
  if (problems.length) throw new ValidationError(problems);
  // The lead's open hand-off is decided by the move (accepted, rejected, withdrawn), and the lead
  // mirrors it; moving to MQL asks for a new one below.
  const decided =
    lead.stage === 'mql' && move.to !== 'mql' ? await decideHandoff(tx, lead.id, move)
    : !SALES_STAGES.includes(move.to) ? 'none'
    : null;
  const [updated] = await tx
    .update(leads)
    .set({ ...(decided ? { handoffStatus: decided } : {}), ...move.set, stage: move.to, stageChangedAt: move.at, version: sql`${leads.version} + 1`, updatedAt: move.at })
    .where(and(eq(leads.id, lead.id), eq(leads.version, lead.version)))
    .returning();
  if (!updated) throw new ConflictError('the lead changed while moving it');
  await tx.insert(stageTransitions).values({
    leadId: lead.id,
    fromStage: lead.stage,
    toStage: move.to,
    revisionId: policy.revisionId,
    actorType: move.actorType,
    actorUserId: move.actorUserId ?? null,
    reason: move.reason ?? null,
    reasonCode: move.reasonCode ?? null,
    occurredAt: move.at,
  });
  await tx.insert(outboxEvents).values({
    eventType: move.eventType ?? EVENT_FOR_STAGE[move.to] ?? 'lead.stage_changed',
    leadId: lead.id,
    payload: { leadId: lead.id, fromStage: lead.stage, toStage: move.to, reasonCode: move.reasonCode ?? null, reason: move.reason ?? null, actorUserId: move.actorUserId ?? null, at: move.at.toISOString() },
  });

  // Clocks (domain/clocks/sla-clocks.ts says what ends what): leaving MQL meets acceptance; leaving
  // Sales cancels response and cadence; the stage's stuck-lead clock ends and the next one starts.
  const stop = [{ leadId: lead.id, at: move.at }];
  if (SALES_STAGES.includes(lead.stage) && !SALES_STAGES.includes(move.to)) await endClocks(tx, stop, CLOCK_ENDINGS.leftSales);
  else if (lead.stage === 'mql' && move.to !== 'mql') await endClocks(tx, stop, CLOCK_ENDINGS.leftMql);
  await enteredStage(tx, policy, move.to, [{ leadId: lead.id, at: move.at, ownerId: updated.ownerId, fromStage: lead.stage }]);
  if (move.to === 'recycled') await enrolOnRecycle(tx, policy, lead.id, move.recycleTrigger ?? 'manual', move.reasonCode ?? null, move.at);
  else await enrolByRule(tx, policy.revisionId, [lead.id], 'stage_entered', move.at, move.to);
  // A person's move to MQL is a hand-off like a score's, when the agreement hands off on MQL: from
  // Marketing's stages it is routed; a rep who moves its own lead back keeps it.
  if (move.to === 'mql' && lead.stage !== 'mql') {
    const keep = move.actorRole === 'sales' || SALES_STAGES.includes(lead.stage) ? (move.actorRole === 'sales' ? move.actorUserId : lead.ownerId) : null;
    await requestHandoffs(tx, [{ leadId: lead.id, agreementId: policy.agreementId, trigger: 'manual', at: move.at, ownerId: keep ?? null }], move.at);
    const [after] = await tx.select().from(leads).where(eq(leads.id, lead.id));
    return after!;
  }
  return updated;
}

/**
 * A sales rep sees only the leads it owns; to it another rep's lead does not exist: acting on one is
 * answered exactly like acting on a missing lead (NotFound, before any other check), so a rep cannot
 * tell another rep's leads from ids that were never used.
 */
export function isHiddenFrom(actor: Pick<Principal, 'role' | 'userId'>, lead: Pick<LeadRow, 'ownerId'>): boolean {
  return actor.role === 'sales' && lead.ownerId !== actor.userId;
}

/**
 * Locks a lead and loads the policy of its agreement, refusing leads no active agreement covers.
 * With an actor, a lead hidden from it (isHiddenFrom) is NotFound, like a missing one.
 */
export async function lockLead(tx: DbOrTx, leadId: string, actor?: Pick<Principal, 'role' | 'userId'>): Promise<{ lead: LeadRow; policy: RevisionPolicy }> {
  // A rep's own leads only, in the locking query itself: another rep's lead is never locked (nor
  // waited for while someone else holds it), so it answers as fast as a missing one.
  const [lead] = await tx
    .select()
    .from(leads)
    .where(and(eq(leads.id, leadId), actor?.role === 'sales' ? eq(leads.ownerId, actor.userId) : undefined))
    .for('update');
  if (!lead || (actor && isHiddenFrom(actor, lead))) throw new NotFoundError('Lead', leadId);
  const policy = lead.agreementId ? await loadPolicy(tx, lead.agreementId) : null;
  if (!policy) throw new ConflictError('the lead is not covered by an active agreement, so no stage machine applies');
  return { lead, policy };
}

const moveSchema = z.object({
  leadId: z.string().uuid('not a lead id'),
  toStage: z.enum(lifecycleStages),
  /** The stage the caller believes the lead is in: a different stage means someone moved it first. */
  fromStage: z.enum(lifecycleStages).nullable().optional(),
  /** The lead version the caller read: a different version means the lead changed since. */
  expectedVersion: z.number().int().positive().nullable().optional(),
  reasonCode: z.string().trim().min(1).max(100).nullable().optional(),
  reason: z.string().trim().max(2000).nullable().optional(),
});

/** Checks the caller's view of the lead: concurrent, conflicting moves get CONFLICT. */
export function checkExpectations(lead: LeadRow, expected: { fromStage?: string | null; expectedVersion?: number | null }) {
  if (expected.fromStage && expected.fromStage !== lead.stage) throw new ConflictError(`the lead is ${lead.stage}, not ${expected.fromStage}: someone moved it first`);
  if (expected.expectedVersion && expected.expectedVersion !== lead.version) throw new ConflictError(`the lead changed since version ${expected.expectedVersion} (now ${lead.version})`);
}

/**
 * A person moves a lead to another stage. The lead's row lock plus the caller's expected stage or
 * version make concurrent, conflicting moves end with one winner and CONFLICT for the others.
 */
export async function moveLead(db: Db, actor: Principal, input: unknown, now?: Date) {
  const move = parseInput(moveSchema, input);
  return db.transaction(async (tx) => {
    // A rep's move of another rep's lead is NotFound, like a missing lead's.
    const { lead, policy } = await lockLead(tx, move.leadId, actor);
    checkExpectations(lead, move);
    return applyMove(tx, lead, policy, {
      to: move.toStage,
      actorType: 'user',
      actorUserId: actor.userId,
      actorRole: actor.role,
      reasonCode: move.reasonCode,
      reason: move.reason,
      at: now ?? new Date(),
    });
  });
}
