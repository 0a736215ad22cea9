import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, DbOrTx } from '../../db/client';
import { leads, opportunities, pipelineStages } from '../../db/schema/index';
import type { Principal } from '../auth/api-keys';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { applyMove, isHiddenFrom, lockLead } from '../leads/stage';
import { parseInput } from '../validation';

const createSchema = z.object({
  leadId: z.string().uuid('not a lead id'),
  name: z.string().trim().min(1, 'must not be empty').max(200),
  amountMinor: z.number().int('minor units: a whole number').min(0, 'at least 0').max(Number.MAX_SAFE_INTEGER),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code, e.g. USD').default('USD'),
  pipelineStageKey: z.string().trim().min(1),
});

const updateSchema = z.object({
  opportunityId: z.string().uuid('not an opportunity id'),
  pipelineStageKey: z.string().trim().min(1).optional(),
  amountMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  lostReason: z.string().trim().max(500).nullable().optional(),
});

function mayAct(actor: Principal, ownerId: string | null) {
  if (actor.role === 'admin') return;
  if (actor.role !== 'sales' || ownerId !== actor.userId) throw new ForbiddenError('only the lead’s rep (or an admin) manages its opportunities');
}

/** Locks the lead and tells whether the actor may see it (a rep: only its own; missing: no). */
async function visibleLead(tx: DbOrTx, actor: Principal, leadId: string): Promise<boolean> {
  const [lead] = await tx
    .select({ ownerId: leads.ownerId })
    .from(leads)
    .where(and(eq(leads.id, leadId), actor.role === 'sales' ? eq(leads.ownerId, actor.userId) : undefined))
    .for('update');
  return !!lead && !isHiddenFrom(actor, lead);
}

/** An SQL becomes an opportunity in the sales pipeline. */
export async function createOpportunity(db: Db, actor: Principal, input: unknown) {
  const args = parseInput(createSchema, input);
  return db.transaction(async (tx) => {
    // Another rep's lead is NotFound, like a missing one.
    const { lead, policy } = await lockLead(tx, args.leadId, actor);
    mayAct(actor, lead.ownerId);
    const [stage] = await tx.select().from(pipelineStages).where(and(eq(pipelineStages.revisionId, policy.revisionId), eq(pipelineStages.key, args.pipelineStageKey)));
    if (!stage) throw new ValidationError([{ field: 'input.pipelineStageKey', message: `no pipeline stage "${args.pipelineStageKey}" in the agreement` }]);
    if (stage.outcome !== 'open') throw new ValidationError([{ field: 'input.pipelineStageKey', message: 'a new opportunity starts in an open stage' }]);
    const at = new Date();
    if (lead.stage === 'sql') await applyMove(tx, lead, policy, { to: 'opportunity', actorType: 'user', actorUserId: actor.userId, at, reason: `opportunity ${args.name}` });
    else if (lead.stage !== 'opportunity') throw new ConflictError(`only an SQL becomes an opportunity (the lead is ${lead.stage})`);
    const [row] = await tx
      .insert(opportunities)
      .values({ leadId: lead.id, accountId: lead.accountId, ownerId: lead.ownerId ?? actor.userId, name: args.name, amountMinor: args.amountMinor, currency: args.currency, pipelineStageKey: stage.key })
      .returning();
    return row!;
  });
}

/** Moves an opportunity through the pipeline; a WON stage closes it and makes the lead a customer. */
export async function updateOpportunity(db: Db, actor: Principal, input: unknown) {
  const args = parseInput(updateSchema, input);
  return db.transaction(async (tx) => {
    const [opportunity] = await tx.select().from(opportunities).where(eq(opportunities.id, args.opportunityId)).for('update');
    // A rep sees the opportunities of the leads it owns: another rep's reads like a missing one.
    if (!opportunity || !(await visibleLead(tx, actor, opportunity.leadId))) throw new NotFoundError('Opportunity', args.opportunityId);
    mayAct(actor, opportunity.ownerId);
    if (opportunity.status !== 'open') throw new ConflictError(`the opportunity is already ${opportunity.status}`);
    const { lead, policy } = await lockLead(tx, opportunity.leadId);
    // …and the lead must still be the rep's: once it went back to Marketing and was routed to another
    // rep, the first rep may no longer see it (nor its opportunities), so it may not change them
    // (visibleLead above already answered NotFound, under the lead's lock; this stays as a second check).
    mayAct(actor, lead.ownerId);
    let status: 'open' | 'won' | 'lost' = 'open';
    if (args.pipelineStageKey) {
      const [stage] = await tx.select().from(pipelineStages).where(and(eq(pipelineStages.revisionId, policy.revisionId), eq(pipelineStages.key, args.pipelineStageKey)));
      if (!stage) throw new ValidationError([{ field: 'input.pipelineStageKey', message: `no pipeline stage "${args.pipelineStageKey}" in the agreement` }]);
      status = stage.outcome;
    }
    const at = new Date();
    const [updated] = await tx
      .update(opportunities)
      .set({
        ...(args.pipelineStageKey ? { pipelineStageKey: args.pipelineStageKey } : {}),
        ...(args.amountMinor !== undefined ? { amountMinor: args.amountMinor } : {}),
        status,
        closedAt: status === 'open' ? null : at,
        lostReason: status === 'lost' ? (args.lostReason ?? null) : null,
        updatedAt: at,
      })
      .where(eq(opportunities.id, opportunity.id))
      .returning();
    if (status === 'won' && lead.stage === 'opportunity') await applyMove(tx, lead, policy, { to: 'customer', actorType: 'user', actorUserId: actor.userId, at, reason: `won ${opportunity.name}`, eventType: 'opportunity.won' });
    return updated!;
  });
}
