import { asc, inArray } from 'drizzle-orm';
import { leadAgreementChanges, ownershipChanges } from '../../db/schema/index';
import { describeScope, governanceReason, scopedAgreements, type ScopedAgreement } from '../../domain/agreements/scope';
import { builder } from '../builder';
import type { Context } from '../context';
import type { LeadRow } from '../loaders';
import { ActorTypeEnum } from './enums';
import { leadRecordScope } from './lead';
import { AgreementRevisionRef, LeadRef, SlaAgreementRef, UserRef } from './refs';

// Which agreement governs a lead and why, and the audit of its agreement and owner changes.

type AgreementChangeRow = typeof leadAgreementChanges.$inferSelect;
type OwnerChangeRow = typeof ownershipChanges.$inferSelect;

/** The active agreements in claim order, read once per request. */
const activeByRequest = new WeakMap<Context, Promise<ScopedAgreement[]>>();
function actives(ctx: Context): Promise<ScopedAgreement[]> {
  let found = activeByRequest.get(ctx);
  if (!found) activeByRequest.set(ctx, (found = scopedAgreements(ctx.db)));
  return found;
}

const GovernanceRef = builder.objectRef<{ lead: LeadRow; agreements: ScopedAgreement[] }>('LeadGovernance').implement({
  description: 'The agreement that governs the lead and why (its scope and priority).',
  fields: (t) => ({
    agreement: t.field({ type: SlaAgreementRef, nullable: true, resolve: (g) => g.lead.agreementId }),
    priority: t.int({ nullable: true, resolve: (g) => g.agreements.find((a) => a.id === g.lead.agreementId)?.priority ?? null }),
    scope: t.string({ nullable: true, description: 'The governing agreement’s scope in words.', resolve: (g) => {
      const a = g.agreements.find((x) => x.id === g.lead.agreementId);
      return a ? describeScope(a.rules) : null;
    } }),
    reason: t.string({ resolve: (g) => governanceReason(g.agreements, g.lead) }),
  }),
});

const AgreementChangeRef = builder.objectRef<AgreementChangeRow>('LeadAgreementChange').implement({
  description: 'The lead moved to another agreement (an activated scope, or an archived agreement).',
  authScopes: leadRecordScope,
  fields: (t) => ({
    from: t.field({ type: SlaAgreementRef, nullable: true, resolve: (c) => c.fromAgreementId }),
    to: t.field({ type: SlaAgreementRef, nullable: true, resolve: (c) => c.toAgreementId }),
    revision: t.field({ type: AgreementRevisionRef, nullable: true, description: 'The revision whose activation moved it.', resolve: (c) => c.revisionId }),
    reason: t.exposeString('reason'),
    actor: t.field({ type: UserRef, nullable: true, resolve: (c) => c.actorUserId }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
  }),
});

const OwnerChangeRef = builder.objectRef<OwnerChangeRow>('LeadOwnerChange').implement({
  description: 'The lead changed owner outside routing: a rep left or went out of office.',
  authScopes: leadRecordScope,
  fields: (t) => ({
    from: t.field({ type: UserRef, nullable: true, resolve: (c) => c.fromUserId }),
    to: t.field({ type: UserRef, nullable: true, description: 'Null: nobody (back with Marketing).', resolve: (c) => c.toUserId }),
    reason: t.exposeString('reason'),
    actorType: t.field({ type: ActorTypeEnum, resolve: (c) => c.actorType }),
    actor: t.field({ type: UserRef, nullable: true, resolve: (c) => c.actorUserId }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
  }),
});

const byLead = <T extends { leadId: string }>(ids: string[], list: T[]) => ids.map((id) => list.filter((r) => r.leadId === id));

builder.objectFields(LeadRef, (t) => ({
  governance: t.field({
    type: GovernanceRef,
    description: 'Which agreement governs the lead, and why.',
    resolve: async (lead, _args, ctx) => ({ lead, agreements: await actives(ctx) }),
  }),
  agreementChanges: t.loadableList({
    type: AgreementChangeRef,
    description: 'Moves between agreements, oldest first.',
    load: async (ids: string[], ctx) =>
      byLead(ids, await ctx.db.select().from(leadAgreementChanges).where(inArray(leadAgreementChanges.leadId, ids)).orderBy(asc(leadAgreementChanges.occurredAt), asc(leadAgreementChanges.id))),
    resolve: (lead) => lead.id,
  }),
  ownerChanges: t.loadableList({
    type: OwnerChangeRef,
    description: 'Owner changes when a rep left or went out of office, oldest first (routing itself is in handoffs).',
    load: async (ids: string[], ctx) =>
      byLead(ids, await ctx.db.select().from(ownershipChanges).where(inArray(ownershipChanges.leadId, ids)).orderBy(asc(ownershipChanges.occurredAt), asc(ownershipChanges.id))),
    resolve: (lead) => lead.id,
  }),
}));
