import { and, asc, desc, eq, getTableColumns, inArray, isNull, sql } from 'drizzle-orm';
import { clockOverdueSql, clockVerdictSql, type ClockVerdict } from '../../domain/clocks/verdict';
import { stuckLeadGroups, stuckLeads, workQueue, type QueueItem, type StuckGroup, type StuckLead } from '../../domain/handoff/work-queue';
import type { Db } from '../../db/client';
import { pgArray } from '../../db/pg-array';
import { contactAttempts, handoffs, nurtureEnrolments, users, nurtureWorkflows, opportunities, slaBreaches, slaClocksTable } from '../../db/schema/index';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../domain/errors';
import { createOpportunity, updateOpportunity } from '../../domain/handoff/opportunities';
import { acceptLead, disqualifyLead, enrolLead, logContactAttempt, recycleLead, rejectLead } from '../../domain/handoff/sales';
import { builder } from '../builder';
import { ForbiddenGraphQLError } from '../errors';
import { opaqueID, openCursorID, sealCursorID } from '../global-ids';
import { checkPageSize, decodeCursor, encodeCursor } from '../pagination';
import { isUuid, type LeadRow } from '../loaders';
import { ClockStatusEnum, ClockVerdictEnum, ContactChannelEnum, ContactOutcomeEnum, EnrolmentSourceEnum, EnrolmentStatusEnum, HandoffStateEnum, LifecycleStageEnum, PipelineOutcomeEnum, SlaClockEnum } from './enums';
import { leadRecordScope } from './lead';
import { LeadRef, SalesTeamRef, UserRef } from './refs';

// Sales' side: hand-offs accepted or rejected, contact attempts, recycles, nurture by hand,
// opportunities, SLA clocks and breaches, and the rep's work queue.

type AttemptRow = typeof contactAttempts.$inferSelect;
type OpportunityRow = typeof opportunities.$inferSelect;
type ClockRow = typeof slaClocksTable.$inferSelect & { verdict: ClockVerdict; overdue: boolean };
type HandoffRow = typeof handoffs.$inferSelect;
type BreachRow = typeof slaBreaches.$inferSelect;
type EnrolmentRow = typeof nurtureEnrolments.$inferSelect & { workflowKey: string };

const leadScope = leadRecordScope;

export const ContactAttemptRef = builder.objectRef<AttemptRow>('ContactAttempt').implement({
  description: 'One try to reach a lead: who, how, what came of it, and what it broke of the cadence.',
  authScopes: leadScope,
  fields: (t) => ({
    id: t.id({ description: 'Opaque and stable (not a sequence number).', resolve: (a, _args, ctx) => opaqueID(ctx, 'ContactAttempt', a.id) }),
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
  description:
    'An SLA clock on a lead, counted in business hours: when it started, when it is due, when it stopped and its verdict. ' +
    'Why a lead is (or is not) overdue in the work queue is read here.',
  authScopes: leadScope,
  fields: (t) => ({
    id: t.id({ description: 'Opaque and stable (not a sequence number).', resolve: (c, _args, ctx) => opaqueID(ctx, 'SlaClockState', c.id) }),
    clock: t.field({ type: SlaClockEnum, resolve: (c) => c.clock }),
    stage: t.field({ type: LifecycleStageEnum, nullable: true, description: 'The stage a TIME_IN_STAGE clock times.', resolve: (c) => c.stage }),
    status: t.field({ type: ClockStatusEnum, resolve: (c) => c.status }),
    verdict: t.field({ type: ClockVerdictEnum, description: 'As the KPIs count it, as of now.', resolve: (c) => c.verdict }),
    overdue: t.exposeBoolean('overdue', { description: 'Still open and past its due time (breached and not yet resolved): it puts the lead at the top of its rep’s queue.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    dueAt: t.expose('dueAt', { type: 'DateTime' }),
    stoppedAt: t.expose('stoppedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the obligation ended: met, cancelled, or, for a breached clock, resolved. Null while it is open.',
    }),
    owner: t.field({ type: UserRef, nullable: true, resolve: (c) => c.ownerId }),
    handoff: t.field({ type: HandoffRef, nullable: true, description: 'The hand-off an acceptance, response or cadence clock belongs to.', resolve: (c) => c.handoffId }),
  }),
});

export const HandoffRef = builder.loadableObjectRef('Handoff', {
  load: async (ids: string[], ctx) => ctx.db.select().from(handoffs).where(inArray(handoffs.id, ids.filter(isUuid))),
  sort: (h: HandoffRow) => h.id,
});

HandoffRef.implement({
  description:
    'One hand-off from Marketing to Sales: what asked for it and when, whether it was held and why, when Sales got it (its clocks start then), ' +
    'and how Sales decided. The work queue, the KPIs and the lead.handed_off webhook all read this one record.',
  authScopes: leadScope,
  fields: (t) => ({
    id: t.exposeID('id'),
    lead: t.field({ type: LeadRef, resolve: (h) => h.leadId }),
    trigger: t.exposeString('trigger', { description: 'mql (qualified by score), manual (moved to MQL by a person), or the trigger activity type, e.g. demo_request.' }),
    requestedAt: t.expose('requestedAt', { type: 'DateTime', description: 'When it was asked for: the trigger event, or the move to MQL.' }),
    state: t.field({ type: HandoffStateEnum, resolve: (h) => h.state }),
    missingFields: t.exposeStringList('missingFields', { description: 'While held, or when it was held: what the lead lacked (or why no rep could take it).' }),
    heldAt: t.expose('heldAt', { type: 'DateTime', nullable: true }),
    releasedAt: t.expose('releasedAt', { type: 'DateTime', nullable: true, description: 'When a held hand-off was routed.' }),
    owner: t.field({ type: UserRef, nullable: true, resolve: (h) => h.ownerId }),
    handedOffAt: t.expose('handedOffAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When Sales got the lead and its acceptance and response clocks started: the request, or the release of a held hand-off.',
    }),
    decidedAt: t.expose('decidedAt', { type: 'DateTime', nullable: true, description: 'When it was accepted, rejected or withdrawn.' }),
    firstContactAt: t.expose('firstContactAt', { type: 'DateTime', nullable: true }),
  }),
});

export const SlaBreachRef = builder.objectRef<BreachRow>('SlaBreach').implement({
  description: 'A clock that ran out: rule, lead, due, breached, resolved.',
  authScopes: leadScope,
  fields: (t) => ({
    id: t.id({ description: 'Opaque and stable (not a sequence number).', resolve: (b, _args, ctx) => opaqueID(ctx, 'SlaBreach', b.id) }),
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
    description: 'Every SLA clock of this lead, newest first, with its start, due, stop and verdict.',
    load: async (ids: string[], ctx) =>
      byLead(
        ids,
        await ctx.db
          .select({
            ...getTableColumns(slaClocksTable),
            verdict: sql<ClockVerdict>`${clockVerdictSql('sla_clocks')}`,
            overdue: sql<boolean>`${clockOverdueSql('sla_clocks')}`,
          })
          .from(slaClocksTable)
          .where(inArray(slaClocksTable.leadId, ids))
          .orderBy(desc(slaClocksTable.startedAt), desc(slaClocksTable.id)),
      ),
    resolve: (lead) => lead.id,
  }),
  handoffs: t.loadableList({
    type: HandoffRef,
    description: 'Every hand-off of this lead to Sales, oldest first.',
    load: async (ids: string[], ctx) => byLead(ids, await ctx.db.select().from(handoffs).where(inArray(handoffs.leadId, ids)).orderBy(asc(handoffs.requestedAt), asc(handoffs.createdAt))),
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

/** The owners an admin asked for: one rep, a team's reps, or everyone (null). */
async function ownersOf(ctx: { db: Db }, ownerId: string | undefined, teamId: string | undefined): Promise<string[] | null> {
  if (ownerId) return isUuid(ownerId) ? [ownerId] : [];
  if (!teamId) return null;
  if (!isUuid(teamId)) return [];
  const members = await ctx.db.select({ id: users.id }).from(users).where(eq(users.salesTeamId, teamId));
  return members.map((m) => m.id);
}

const WorkQueueItemRef = builder.objectRef<QueueItem>('WorkQueueItem').implement({
  description: 'A lead to work, with its most urgent open SLA clock.',
  fields: (t) => ({
    lead: t.field({ type: LeadRef, resolve: (i) => i.leadId }),
    nextDueAt: t.expose('dueAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Due time of the lead’s most urgent open clock: running, or breached and not yet resolved (then it is in the past).',
    }),
    dueClock: t.field({ type: SlaClockEnum, nullable: true, resolve: (i) => i.dueClock }),
    overdue: t.exposeBoolean('overdue', { description: 'That clock is past its due time: the obligation is breached and still open.' }),
    minutesOverdue: t.exposeInt('minutesOverdue', { nullable: true, description: 'How late, in minutes (wall clock), when overdue.' }),
  }),
});

const StuckLeadRef = builder.objectRef<StuckLead>('StuckLead').implement({
  description: 'A lead past its stage’s time limit (the agreement’s TIME_IN_STAGE clock for that stage ran out).',
  fields: (t) => ({
    lead: t.field({ type: LeadRef, resolve: (s) => s.leadId }),
    stage: t.field({ type: LifecycleStageEnum, resolve: (s) => s.stage }),
    owner: t.field({ type: UserRef, nullable: true, resolve: (s) => s.ownerId }),
    enteredStageAt: t.expose('enteredStageAt', { type: 'DateTime' }),
    dueAt: t.expose('dueAt', { type: 'DateTime', description: 'When the stage’s time limit ran out.' }),
    hoursInStage: t.exposeFloat('hoursInStage', { description: 'Wall-clock hours since the lead entered the stage.' }),
    hoursOverdue: t.exposeFloat('hoursOverdue', { description: 'Wall-clock hours past the limit.' }),
    breachRecorded: t.exposeBoolean('breachRecorded', { description: 'The scheduler has recorded the breach (and sent sla.breached); false until its next pass.' }),
  }),
});

const StuckGroupRef = builder.objectRef<StuckGroup>('StuckLeadGroup').implement({
  description: 'Stuck leads counted by stage and owner.',
  fields: (t) => ({
    stage: t.field({ type: LifecycleStageEnum, resolve: (g) => g.stage }),
    owner: t.field({ type: UserRef, nullable: true, resolve: (g) => g.ownerId }),
    leads: t.exposeInt('leads'),
    longestOverdueHours: t.exposeFloat('longestOverdueHours'),
  }),
});

interface StuckPage {
  items: StuckLead[];
  groups: () => Promise<StuckGroup[]>;
  hasNextPage: boolean;
}

const StuckLeadsRef = builder.objectRef<StuckPage>('StuckLeads').implement({
  description: 'Leads past their stage’s time limit, longest overdue first, and the counts by stage and owner.',
  fields: (t) => ({
    nodes: t.field({ type: [StuckLeadRef], resolve: (p) => p.items }),
    byStageAndOwner: t.field({ type: [StuckGroupRef], resolve: (p) => p.groups() }),
    hasNextPage: t.exposeBoolean('hasNextPage'),
    endCursor: t.string({
      nullable: true,
      description: 'Pass as `after` for the next page.',
      resolve: (p, _args, ctx) => {
        const last = p.items.at(-1);
        // The clock id sealed: a plain one would count everyone's clocks.
        return last ? encodeCursor([last.dueAt.toISOString(), sealCursorID(ctx, 'SlaClockState', last.clockId)]) : null;
      },
    }),
  }),
});

builder.queryFields((t) => ({
  workQueue: t.field({
    type: [WorkQueueItemRef],
    description:
      "Leads with Sales, most urgent first: breached and still-open obligations (most late first), then what is due next, then hotter first. A rep sees its own; admins (sales managers hold admin keys) everyone's, or one rep's with ownerId.",
    authScopes: { admin: true, sales: true },
    args: {
      ownerId: t.arg.globalID({ required: false, for: UserRef }),
      teamId: t.arg.globalID({ required: false, for: SalesTeamRef, description: 'Admins: the queue of a sales team’s reps (a manager’s view).' }),
      first: t.arg.int({ required: false, defaultValue: 50 }),
    },
    resolve: async (_root, args, ctx) => {
      const viewer = ctx.viewer!;
      const limit = Math.min(Math.max(args.first ?? 50, 1), 100);
      // A rep sees its own queue; admins (and sales managers, who hold admin keys) anyone's.
      if (viewer.role === 'sales' && ((args.ownerId && args.ownerId.id !== viewer.userId) || args.teamId))
        // A top-level FORBIDDEN like every other refusal (a domain ForbiddenError here surfaced as an internal error).
        throw new ForbiddenGraphQLError('a rep sees only its own queue');
      const owners = viewer.role === 'sales' ? [viewer.userId] : await ownersOf(ctx, args.ownerId?.id, args.teamId?.id);
      if (owners?.length === 0) return [];
      return workQueue(ctx.db, { owners, limit });
    },
  }),
  stuckLeads: t.field({
    type: StuckLeadsRef,
    description:
      'Leads past their stage’s time limit (TIME_IN_STAGE), longest overdue first, with counts by stage and owner. Admins and marketing see everyone’s (or one owner’s); a rep sees its own.',
    authScopes: { admin: true, marketing: true, sales: true },
    args: {
      stages: t.arg({ type: [LifecycleStageEnum], required: false }),
      ownerId: t.arg.globalID({ required: false, for: UserRef }),
      teamId: t.arg.globalID({ required: false, for: SalesTeamRef, description: 'The stuck leads of a sales team’s reps.' }),
      first: t.arg.int({ required: false, defaultValue: 50 }),
      after: t.arg.string({ required: false }),
    },
    resolve: async (_root, args, ctx) => {
      const viewer = ctx.viewer!;
      checkPageSize(args);
      if (viewer.role === 'sales' && ((args.ownerId && args.ownerId.id !== viewer.userId) || args.teamId)) throw new ForbiddenGraphQLError('a rep sees only its own stuck leads');
      const owners = viewer.role === 'sales' ? [viewer.userId] : await ownersOf(ctx, args.ownerId?.id, args.teamId?.id);
      const limit = Math.max(args.first ?? 50, 0);
      const cursor = args.after ? decodeCursor(args.after, ['timestamp', 'text']) : null;
      const filter = { owners, stages: args.stages ?? null };
      const now = new Date();
      const found = await stuckLeads(ctx.db, { ...filter, now, limit: limit + 1, after: cursor ? { dueAt: new Date(cursor[0] as string), clockId: openCursorID(ctx, 'SlaClockState', cursor[1]) } : null });
      return { items: found.slice(0, limit), hasNextPage: found.length > limit, groups: () => stuckLeadGroups(ctx.db, { ...filter, now }) };
    },
  }),
  slaBreaches: t.field({
    type: [SlaBreachRef],
    description: 'Breaches, newest first; only open ones unless includeResolved.',
    authScopes: { admin: true, marketing: true, sales: true },
    args: {
      includeResolved: t.arg.boolean({ required: false, defaultValue: false }),
      teamId: t.arg.globalID({ required: false, for: SalesTeamRef, description: 'Admins and marketing: the breaches of a sales team’s reps.' }),
      first: t.arg.int({ required: false, defaultValue: 50 }),
    },
    resolve: async (_root, args, ctx) => {
      if (ctx.viewer!.role === 'sales' && args.teamId) throw new ForbiddenGraphQLError('a rep sees only the breaches of its own leads');
      const team = args.teamId ? await ownersOf(ctx, undefined, args.teamId.id) : null;
      return ctx.db
        .select()
        .from(slaBreaches)
        .where(
          and(
            args.includeResolved ? undefined : isNull(slaBreaches.resolvedAt),
            // a rep sees the breaches of the leads it owns now
            ctx.viewer!.role === 'sales' ? sql`${slaBreaches.leadId} in (select id from leads where owner_id = ${ctx.viewer!.userId}::uuid)` : undefined,
            team ? sql`${slaBreaches.ownerId} = any(${pgArray(team)}::uuid[])` : undefined,
          ),
        )
        .orderBy(desc(slaBreaches.breachedAt))
        .limit(Math.min(Math.max(args.first ?? 50, 1), 100));
    },
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

const ContactAttemptPayload = builder.objectRef<{ attempt: AttemptRow; recycled: boolean; nextDueAt: Date | null; followUpDueBy: Date | null }>('LogContactAttemptPayload').implement({
  fields: (t) => ({
    attempt: t.field({ type: ContactAttemptRef, resolve: (p) => p.attempt }),
    recycled: t.exposeBoolean('recycled', { description: 'True when this was the last allowed attempt without progress: the lead went back to Marketing.' }),
    nextAttemptDueAt: t.expose('nextDueAt', {
      type: 'DateTime',
      nullable: true,
      description:
        'When the cadence says to try again (its minimum interval after this attempt); null when nothing more is due: the outcome ended the follow-up (the cadence’s ending outcomes), the lead was recycled, or the attempts are used up.',
    }),
    followUpDueBy: t.expose('followUpDueBy', {
      type: 'DateTime',
      nullable: true,
      description: 'Due time of the CADENCE_INTERVAL clock this attempt started (the next attempt is late after it); null exactly when nextAttemptDueAt is null or the agreement has no such clock.',
    }),
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
