import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { lifecycleStages, type LifecycleStage } from '../../db/schema/enums';
import { leads, outboxEvents, reasonCodes, slaAgreements, stageTransitionRules, stageTransitions } from '../../db/schema/index';
import type { Principal } from '../auth/api-keys';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { checkMove } from '../stages/machine';
import { parseInput } from '../validation';

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

const EVENT_FOR_STAGE: Partial<Record<LifecycleStage, string>> = {
  mql: 'lead.mql',
  sql: 'lead.accepted',
  recycled: 'lead.recycled',
  disqualified: 'lead.disqualified',
};

/**
 * A person moves a lead to another stage. The agreement's stage machine decides what is allowed;
 * the lead's row lock plus the caller's expected stage or version make concurrent, conflicting
 * moves end with one winner and CONFLICT for the others, with nothing written for them.
 */
export async function moveLead(db: Db, actor: Principal, input: unknown) {
  const move = parseInput(moveSchema, input);
  return db.transaction(async (tx) => {
    const [lead] = await tx.select().from(leads).where(eq(leads.id, move.leadId)).for('update');
    if (!lead) throw new NotFoundError('Lead', move.leadId);
    if (actor.role === 'sales' && lead.ownerId !== actor.userId) throw new ForbiddenError('sales reps can only move their own leads');
    if (move.fromStage && move.fromStage !== lead.stage) {
      throw new ConflictError(`the lead is ${lead.stage}, not ${move.fromStage}: someone moved it first`);
    }
    if (move.expectedVersion && move.expectedVersion !== lead.version) {
      throw new ConflictError(`the lead changed since version ${move.expectedVersion} (now ${lead.version})`);
    }
    const [agreement] = lead.agreementId
      ? await tx.select().from(slaAgreements).where(eq(slaAgreements.id, lead.agreementId))
      : [];
    const revisionId = agreement?.status === 'active' ? agreement.activeRevisionId : null;
    if (!revisionId) throw new ConflictError('the lead is not covered by an active agreement, so no stage machine applies');
    const [moves, codes] = await Promise.all([
      tx.select().from(stageTransitionRules).where(eq(stageTransitionRules.revisionId, revisionId)),
      tx.select().from(reasonCodes).where(eq(reasonCodes.revisionId, revisionId)),
    ]);
    const problems = checkMove(
      moves.map((m) => ({ from: m.fromStage, to: m.toStage, requiresReason: m.requiresReason, automatic: m.automatic })),
      { from: lead.stage, to: move.toStage, actor: 'user', reasonCode: move.reasonCode },
      new Set(codes.map((c) => c.code)),
    );
    if (problems.length) throw new ValidationError(problems);
    const now = new Date();
    const [updated] = await tx
      .update(leads)
      .set({ stage: move.toStage, stageChangedAt: now, version: sql`${leads.version} + 1`, updatedAt: now })
      .where(and(eq(leads.id, lead.id), eq(leads.version, lead.version)))
      .returning();
    if (!updated) throw new ConflictError('the lead changed while moving it');
    await tx.insert(stageTransitions).values({
      leadId: lead.id,
      fromStage: lead.stage,
      toStage: move.toStage,
      revisionId,
      actorType: 'user',
      actorUserId: actor.userId,
      reason: move.reason ?? null,
      reasonCode: move.reasonCode ?? null,
      occurredAt: now,
    });
    const eventType = EVENT_FOR_STAGE[move.toStage] ?? 'lead.stage_changed';
    await tx.insert(outboxEvents).values({
      eventType,
      leadId: lead.id,
      payload: { leadId: lead.id, fromStage: lead.stage, toStage: move.toStage, reasonCode: move.reasonCode ?? null, actorUserId: actor.userId, at: now.toISOString() },
    });
    return updated;
  });
}
