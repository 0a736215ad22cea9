import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { contactAttempts, leads, nurtureEnrolments, nurtureWorkflows, opportunities, slaBreaches, slaClocksTable } from '../../db/schema/index';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../domain/errors';
import { createOpportunity, updateOpportunity } from '../../domain/handoff/opportunities';
import { acceptLead, disqualifyLead, enrolLead, logContactAttempt, recycleLead, rejectLead } from '../../domain/handoff/sales';
import { builder } from '../builder';
import { ForbiddenGraphQLError } from '../errors';
import { isUuid, type LeadRow } from '../loaders';
import { ClockStatusEnum, ContactChannelEnum, ContactOutcomeEnum, EnrolmentSourceEnum, EnrolmentStatusEnum, PipelineOutcomeEnum, SlaClockEnum } from './enums';
import { leadRecordScope } from './lead';
import { LeadRef, UserRef } from './refs';

// Sales' side: hand-offs accepted or rejected, contact attempts, recycles, nurture by hand,
// opportunities, SLA clocks and breaches, and the rep's work queue.

type AttemptRow = typeof contactAttempts.$inferSelect;
type OpportunityRow = typeof opportunities.$inferSelect;
type ClockRow = typeof slaClocksTable.$inferSelect;
type BreachRow = typeof slaBreaches.$inferSelect;
type EnrolmentRow = typeof nurtureEnrolments.$inferSelect & { workflowKey: string };

const leadScope = leadRecordScope;

export const ContactAttemptRef = builder.objectRef<AttemptRow>('ContactAttempt').implement({
  description: 'One try to reach a lead: who, how, what came of it, and what it broke of the cadence.',
  authScopes: leadScope,
  fields: (t) => ({
    id: t.exposeID('id'),
    lead: t.field({ type: LeadRef, resolve: (a) => a.leadId }),
    rep: t.field({ type: UserRef, resolve: (a) => a.userId }),
    channel: t.field({ type: ContactChannelEnum, resolve: (a) => a.channel }),
    outcome: t.field({ type: ContactOutcomeEnum, resolve: (a) => a.outcome }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
    attemptNumber: t.exposeInt('attemptNumber', { description: '1 for the first attempt after the hand-off.' }),
    cadenceFlags: t.exposeStringList('cadenceFlags', { description: 'too_soon, channel_not_allowed, after_max_span, beyond_max_attempts.' }),
    notes: t.exposeString('notes', { nullable: true, description: 'Free text: null for viewers.', authScopes: { personalData: true }, unauthorizedResolver: () => null }),
  }),
});

export const OpportunityRef = builder.objectRef<OpportunityRow>('Opportunity').implement({
  description: 'A deal from an SQL; won ones carry the revenue goals measure.',
  authScopes: leadScope,
  fields: (t) => ({
    id: t.exposeID('id'),
    lead: t.field({ type: LeadRef, resolve: (o) => o.leadId }),
    owner: t.field({ type: UserRef, nullable: true, resolve: (o) => o.ownerId }),
    name: t.exposeString('name', { nullable: true, description: 'Often names the person: null for viewers.', authScopes: { personalData: true }, unauthorizedResolver: () => null }),
    pipelineStageKey: t.exposeString('pipelineStageKey'),
    amountMinor: t.field({ type: 'Float', resolve: (o) => o.amountMinor, description: 'Minor units (cents).' }),
    currency: t.exposeString('currency'),
    status: t.field({ type: PipelineOutcomeEnum, resolve: (o) => o.status }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    closedAt: t.expose('closedAt', { type: 'DateTime', nullable: true }),
  }),
});

export const SlaClockRef = builder.objectRef<ClockRow>('SlaClockState').implement({
  description: 'An SLA clock on a lead, counted in business hours.',
  authScopes: leadScope,
  fields: (t) => ({
    clock: t.field({ type: SlaClockEnum, resolve: (c) => c.clock }),
    status: t.field({ type: ClockStatusEnum, resolve: (c) => c.status }),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    dueAt: t.expose('dueAt', { type: 'DateTime' }),
    stoppedAt: t.expose('stoppedAt', { type: 'DateTime', nullable: true }),
    owner: t.field({ type: UserRef, nullable: true, resolve: (c) => c.ownerId }),
  }),
});

export const SlaBreachRef = builder.objectRef<BreachRow>('SlaBreach').implement({
  description: 'A clock that ran out: rule, lead, due, breached, resolved.',
  authScopes: leadScope,
  fields: (t) => ({
    id: t.exposeID('id'),
    clock: t.field({ type: SlaClockEnum, resolve: (b) => b.clock }),
    lead: t.field({ type: LeadRef, resolve: (b) => b.leadId }),
    owner: t.field({ type: UserRef, nullable: true, resolve: (b) => b.ownerId }),
    dueAt: t.expose('dueAt', { type: 'DateTime' }),
    breachedAt: t.expose('breachedAt', { type: 'DateTime' }),
    resolvedAt: t.expose('resolvedAt', { type: 'DateTime', nullable: true, description: 'When the lead moved on.' }),
  }),
});

const EnrolmentRef = builder.objectRef<EnrolmentRow>('NurtureEnrolment').implement({
  description: 'A lead in a nurture workflow.',
  fields: (t) => ({
    workflowKey: t.exposeString('workflowKey'),
    status: t.field({ type: EnrolmentStatusEnum, resolve: (e) => e.status }),
    source: t.field({ type: EnrolmentSourceEnum, resolve: (e) => e.source }),
    nextStepPosition: t.exposeInt('nextStepPosition'),
    nextStepDueAt: t.expose('nextStepDueAt', { type: 'DateTime', nullable: true }),
    enrolledAt: t.expose('enrolledAt', { type: 'DateTime' }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true }),
    exitReason: t.exposeString('exitReason', { nullable: true }),
  }),
});

const byLead = <T extends { leadId: string }>(ids: string[], list: T[]) => ids.map((id) => list.filter((r) => r.leadId === id));

builder.objectFields(LeadRef, (t) => ({
  contactAttempts: t.loadableList({
    type: ContactAttemptRef,
    description: 'Contact attempts, oldest first.',
    load: async (ids: string[], ctx) => byLead(ids, await ctx.db.select().from(contactAttempts).where(inArray(contactAttempts.leadId, ids)).orderBy(asc(contactAttempts.occurredAt), asc(contactAttempts.id))),
    resolve: (lead) => lead.id,
  }),
  opportunities: t.loadableList({
    type: OpportunityRef,
    load: async (ids: string[], ctx) => byLead(ids, await ctx.db.select().from(opportunities).where(inArray(opportunities.leadId, ids)).orderBy(asc(opportunities.createdAt))),
    resolve: (lead) => lead.id,
  }),
  slaClocks: t.loadableList({
    type: SlaClockRef,
    description: 'SLA clocks on this lead, newest first.',
    load: async (ids: string[], ctx) => byLead(ids, await ctx.db.select().from(slaClocksTable).where(inArray(slaClocksTable.leadId, ids)).orderBy(desc(slaClocksTable.startedAt), desc(slaClocksTable.id))),
    resolve: (lead) => lead.id,
  }),
  slaBreaches: t.loadableList({
    type: SlaBreachRef,
    load: async (ids: string[], ctx) => byLead(ids, await ctx.db.select().from(slaBreaches).where(inArray(slaBreaches.leadId, ids)).orderBy(asc(slaBreaches.breachedAt))),
    resolve: (lead) => lead.id,
  }),
  nurtureEnrolments: t.loadableList({
    type: EnrolmentRef,
    description: 'Nurture enrolments, newest first.',
    load: async (ids: string[], ctx) =>
      byLead(
        ids,
        await ctx.db
          .select({ ...tableColumns(), workflowKey: nurtureWorkflows.key })
          .from(nurtureEnrolments)
          .innerJoin(nurtureWorkflows, eq(nurtureWorkflows.id, nurtureEnrolments.workflowId))
          .where(inArray(nurtureEnrolments.leadId, ids))
          .orderBy(desc(nurtureEnrolments.enrolledAt)),
      ),
    resolve: (lead) => lead.id,
  }),
}));

function tableColumns() {
  const { id, leadId, workflowId, status, source, enrolledById, nextStepPosition, nextStepDueAt, enrolledAt, endedAt, exitReason } = nurtureEnrolments;
  return { id, leadId, workflowId, status, source, enrolledById, nextStepPosition, nextStepDueAt, enrolledAt, endedAt, exitReason };
}

interface QueueItem {
  lead: LeadRow;
  nextDueAt: Date | null;
  dueClock: string | null;
}

const WorkQueueItemRef = builder.objectRef<QueueItem>('WorkQueueItem').implement({
  description: 'A lead to work, with what is due next.',
  fields: (t) => ({
    lead: t.field({ type: LeadRef, resolve: (i) => i.lead }),
    nextDueAt: t.expose('nextDueAt', { type: 'DateTime', nullable: true, description: 'The earliest running SLA clock.' }),
    dueClock: t.field({ type: SlaClockEnum, nullable: true, resolve: (i) => i.dueClock as never }),
    overdue: t.boolean({ resolve: (i) => !!i.nextDueAt && i.nextDueAt.getTime() < Date.now() }),
  }),
});

builder.queryFields((t) => ({
  workQueue: t.field({
    type: [WorkQueueItemRef],
    description:
      "Leads with Sales, ordered by what is due first, then hotter first. A rep sees its own; admins (sales managers hold admin keys) everyone's, or one rep's with ownerId.",
    authScopes: { admin: true, sales: true },
    args: { ownerId: t.arg.globalID({ required: false, for: UserRef }), first: t.arg.int({ required: false, defaultValue: 50 }) },
    resolve: async (_root, args, ctx) => {
      const viewer = ctx.viewer!;
      const limit = Math.min(Math.max(args.first ?? 50, 1), 100);
      // A rep sees its own queue; admins (and sales managers, who hold admin keys) anyone's.
      let owners: string[] | null = null;
      if (viewer.role === 'sales') {
        // A top-level FORBIDDEN like every other refusal (a domain ForbiddenError here surfaced as an internal error).
        if (args.ownerId && args.ownerId.id !== viewer.userId) throw new ForbiddenGraphQLError('a rep sees only its own queue');
        owners = [viewer.userId];
      } else if (args.ownerId) {
        if (!isUuid(args.ownerId.id)) return [];
        owners = [args.ownerId.id];
      }
      const found = await ctx.db
        .select({ lead: leads, nextDueAt: sql<Date | null>`min(${slaClocksTable.dueAt})`, dueClock: sql<string | null>`(array_agg(${slaClocksTable.clock}::text order by ${slaClocksTable.dueAt}))[1]` })
        .from(leads)
        .leftJoin(slaClocksTable, and(eq(slaClocksTable.leadId, leads.id), eq(slaClocksTable.status, 'running')))
        .where(and(inArray(leads.stage, ['mql', 'sql', 'opportunity']), owners ? inArray(leads.ownerId, owners) : sql`${leads.ownerId} is not null`))
        .groupBy(leads.id)
        .orderBy(sql`min(${slaClocksTable.dueAt}) asc nulls last`, sql`case ${leads.temperature} when 'hot' then 0 when 'warm' then 1 else 2 end`, desc(sql`${leads.fitScore} + ${leads.interestScore}`), asc(leads.id))
        .limit(limit);
      return found.map((f) => ({ lead: f.lead, nextDueAt: f.nextDueAt ? new Date(f.nextDueAt) : null, dueClock: f.dueClock }));
    },
  }),
  slaBreaches: t.field({
    type: [SlaBreachRef],
    description: 'Breaches, newest first; only open ones unless includeResolved.',
    authScopes: { admin: true, marketing: true, sales: true },
    args: { includeResolved: t.arg.boolean({ required: false, defaultValue: false }), first: t.arg.int({ required: false, defaultValue: 50 }) },
    resolve: (_root, args, ctx) =>
      ctx.db
        .select()
        .from(slaBreaches)
        .where(
          and(
            args.includeResolved ? undefined : isNull(slaBreaches.resolvedAt),
            // a rep sees the breaches of the leads it owns now
            ctx.viewer!.role === 'sales' ? sql`${slaBreaches.leadId} in (select id from leads where owner_id = ${ctx.viewer!.userId}::uuid)` : undefined,
          ),
        )
        .orderBy(desc(slaBreaches.breachedAt))
        .limit(Math.min(Math.max(args.first ?? 50, 1), 100)),
  }),
}));

const errors = { types: [ValidationError, NotFoundError, ConflictError, ForbiddenError] };
const leadIdOf = (id: { id: string }) => {
  if (!isUuid(id.id)) throw new NotFoundError('Lead', id.id);
  return id.id;
};

const LeadPayloadRef = builder.objectRef<LeadRow>('SalesLeadPayload').implement({
  fields: (t) => ({ lead: t.field({ type: LeadRef, resolve: (l) => l }) }),
});

const reasonInput = (name: string, description: string) =>
  builder.inputType(name, {
    description,
    fields: (t) => ({
      leadId: t.globalID({ required: true, for: LeadRef }),
      reasonCode: t.string({ required: true, description: 'One of the agreement’s reason codes.' }),
      reason: t.string({ required: false }),
      expectedVersion: t.int({ required: false }),
    }),
  });

const AcceptLeadInput = builder.inputType('AcceptLeadInput', {
  fields: (t) => ({ leadId: t.globalID({ required: true, for: LeadRef }), expectedVersion: t.int({ required: false }) }),
});
const RejectLeadInput = reasonInput('RejectLeadInput', 'Refuse a hand-off: the lead goes back to Marketing with the reason.');
const RecycleLeadInput = reasonInput('RecycleLeadInput', 'Send a lead back to Marketing for nurture, with a reason.');
const DisqualifyLeadInput = reasonInput('DisqualifyLeadInput', 'Take a lead out of the funnel for good, with a reason.');

const LogContactAttemptInput = builder.inputType('LogContactAttemptInput', {
  fields: (t) => ({
    leadId: t.globalID({ required: true, for: LeadRef }),
    channel: t.field({ type: ContactChannelEnum, required: true }),
    outcome: t.field({ type: ContactOutcomeEnum, required: true }),
    occurredAt: t.field({ type: 'DateTime', required: false, description: 'Default now.' }),
    notes: t.string({ required: false }),
  }),
});

const ContactAttemptPayload = builder.objectRef<{ attempt: AttemptRow; recycled: boolean; nextDueAt: Date | null }>('LogContactAttemptPayload').implement({
  fields: (t) => ({
    attempt: t.field({ type: ContactAttemptRef, resolve: (p) => p.attempt }),
    recycled: t.exposeBoolean('recycled', { description: 'True when this was the last allowed attempt without progress: the lead went back to Marketing.' }),
    nextAttemptDueAt: t.expose('nextDueAt', { type: 'DateTime', nullable: true, description: 'When the cadence says to try again.' }),
    lead: t.field({ type: LeadRef, resolve: (p) => p.attempt.leadId }),
  }),
});

const EnrolInput = builder.inputType('EnrolLeadInNurtureInput', {
  fields: (t) => ({ leadId: t.globalID({ required: true, for: LeadRef }), workflowKey: t.string({ required: true }) }),
});

const CreateOpportunityInput = builder.inputType('CreateOpportunityInput', {
  fields: (t) => ({
    leadId: t.globalID({ required: true, for: LeadRef }),
    name: t.string({ required: true }),
    amountMinor: t.float({ required: true, description: 'Minor units (cents).' }),
    currency: t.string({ required: false }),
    pipelineStageKey: t.string({ required: true }),
  }),
});

const UpdateOpportunityInput = builder.inputType('UpdateOpportunityInput', {
  fields: (t) => ({
    opportunityId: t.id({ required: true }),
    pipelineStageKey: t.string({ required: false, description: 'A WON stage closes it won (the lead becomes a customer); LOST closes it lost.' }),
    amountMinor: t.float({ required: false }),
    lostReason: t.string({ required: false }),
  }),
});

const OpportunityPayload = builder.objectRef<OpportunityRow>('OpportunityPayload').implement({
  fields: (t) => ({ opportunity: t.field({ type: OpportunityRef, resolve: (o) => o }) }),
});

const salesScopes = { authScopes: { admin: true, sales: true } } as const;
const stripNulls = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));

builder.mutationFields((t) => ({
  acceptLead: t.field({ ...salesScopes, type: LeadPayloadRef, description: 'Accept a hand-off: the lead becomes SQL and the acceptance clock stops.', args: { input: t.arg({ type: AcceptLeadInput, required: true }) }, errors, resolve: (_r, { input }, ctx) => acceptLead(ctx.db, ctx.viewer!, stripNulls({ ...input, leadId: leadIdOf(input.leadId) })) }),
  rejectLead: t.field({ ...salesScopes, type: LeadPayloadRef, args: { input: t.arg({ type: RejectLeadInput, required: true }) }, errors, resolve: (_r, { input }, ctx) => rejectLead(ctx.db, ctx.viewer!, stripNulls({ ...input, leadId: leadIdOf(input.leadId) })) }),
  recycleLead: t.field({ ...salesScopes, type: LeadPayloadRef, args: { input: t.arg({ type: RecycleLeadInput, required: true }) }, errors, resolve: (_r, { input }, ctx) => recycleLead(ctx.db, ctx.viewer!, stripNulls({ ...input, leadId: leadIdOf(input.leadId) })) }),
  disqualifyLead: t.field({ ...salesScopes, type: LeadPayloadRef, args: { input: t.arg({ type: DisqualifyLeadInput, required: true }) }, errors, resolve: (_r, { input }, ctx) => disqualifyLead(ctx.db, ctx.viewer!, stripNulls({ ...input, leadId: leadIdOf(input.leadId) })) }),
  logContactAttempt: t.field({
    ...salesScopes,
    type: ContactAttemptPayload,
    description: 'Record a contact attempt. Breaks of the cadence are flagged, not refused; after the maximum attempts without progress the lead is recycled.',
    args: { input: t.arg({ type: LogContactAttemptInput, required: true }) },
    errors,
    resolve: (_r, { input }, ctx) => logContactAttempt(ctx.db, ctx.viewer!, stripNulls({ ...input, leadId: leadIdOf(input.leadId) })),
  }),
  enrolLeadInNurture: t.field({
    type: LeadPayloadRef,
    description: 'Put one lead into a nurture workflow by hand (sales: own leads).',
    authScopes: { admin: true, marketing: true, sales: true },
    args: { input: t.arg({ type: EnrolInput, required: true }) },
    errors,
    resolve: async (_r, { input }, ctx) => (await enrolLead(ctx.db, ctx.viewer!, { ...input, leadId: leadIdOf(input.leadId) })).lead,
  }),
  createOpportunity: t.field({ ...salesScopes, type: OpportunityPayload, args: { input: t.arg({ type: CreateOpportunityInput, required: true }) }, errors, resolve: (_r, { input }, ctx) => createOpportunity(ctx.db, ctx.viewer!, stripNulls({ ...input, leadId: leadIdOf(input.leadId) })) }),
  updateOpportunity: t.field({
    ...salesScopes,
    type: OpportunityPayload,
    args: { input: t.arg({ type: UpdateOpportunityInput, required: true }) },
    errors,
    resolve: (_r, { input }, ctx) => updateOpportunity(ctx.db, ctx.viewer!, stripNulls({ ...input, opportunityId: String(input.opportunityId) })),
  }),
}));
