import { and, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import { rows } from '../../db/client';
import { leads } from '../../db/schema/index';
import { interestSumSql } from '../../domain/scoring/reconcile';
import { builder } from '../builder';
import type { Context } from '../context';
import { BadUserInputError, ForbiddenGraphQLError } from '../errors';
import { groupByKey, isUuid, loadLedgerByLead, loadTransitionsByLead, type LeadRow } from '../loaders';
import { keysetConnection } from '../pagination';
import {
  FitGradeEnum,
  HandoffStatusEnum,
  LifecycleStageEnum,
  TemperatureEnum,
} from './enums';
import {
  AccountRef,
  AgreementRevisionRef,
  LeadRef,
  ScoreLedgerEntryRef,
  SlaAgreementRef,
  StageTransitionRef,
  UserRef,
} from './refs';
import { connectionComplexity } from '../limits';

const personal = { authScopes: { personalData: true }, unauthorizedResolver: () => null } as const;

/** Sales reps see only the leads they own; every other role sees all leads. */
export function canSeeLead(lead: Pick<LeadRow, 'ownerId'>, ctx: Context): boolean {
  if (!ctx.viewer) return false;
  return ctx.viewer.role !== 'sales' || lead.ownerId === ctx.viewer.userId;
}

/**
 * Type scope of a lead's records (ledger rows, transitions, activities, attempts…): sales reps see
 * their own leads' only (one batched lead load); every other role is decided without a promise, so
 * a page of thousands of records does not pay for thousands of awaits.
 */
export function leadRecordScope(row: { leadId: string }, ctx: Context): boolean | Promise<boolean> {
  if (ctx.viewer?.role !== 'sales') return !!ctx.viewer;
  // The lead loader leaves out other reps' leads (api/loaders.ts): null is a lead the rep may not see.
  return LeadRef.getDataloader(ctx)
    .load(row.leadId)
    .then((lead) => !!lead && canSeeLead(lead, ctx));
}

const LeadScoreRef = builder.objectRef<LeadRow>('LeadScore').implement({
  description: 'A lead’s score: fit (who) + interest (what they do), as of `scoredAt`; equals its ledger.',
  authScopes: { authenticated: true },
  fields: (t) => ({
    fit: t.exposeInt('fitScore'),
    interest: t.exposeInt('interestScore', { description: 'Interest after decay, as of scoredAt.' }),
    total: t.int({ resolve: (lead) => lead.fitScore + lead.interestScore }),
    temperature: t.field({ type: TemperatureEnum, resolve: (lead) => lead.temperature }),
    fitGrade: t.field({ type: FitGradeEnum, resolve: (lead) => lead.fitGrade }),
    scoredAt: t.expose('scoredAt', { type: 'DateTime', nullable: true }),
    interestNow: t.loadable({
      type: 'Int',
      description: 'Interest decayed to this moment, from the ledger (interest is the value as of scoredAt).',
      load: async (ids: string[], ctx) => {
        const found = await rows<{ lead_id: string; interest: number }>(
          ctx.db,
          sql`select s.lead_id, ${interestSumSql(sql`now()`)} as interest from score_ledger s
            where s.lead_id = any(${`{${ids.join(',')}}`}::uuid[]) group by s.lead_id`,
        );
        const byId = new Map(found.map((r) => [r.lead_id, Number(r.interest)]));
        return ids.map((id) => byId.get(id) ?? 0);
      },
      resolve: (lead) => lead.id,
    }),
  }),
});

LeadRef.implement({
  description: 'A person Marketing brought in, with score, stage and hand-off state.',
  authScopes: (lead, ctx) => canSeeLead(lead, ctx),
  fields: (t) => ({
    externalId: t.exposeString('externalId', { nullable: true, description: 'Id in the source system.' }),
    email: t.exposeString('email', { nullable: true, description: 'Personal data: null for viewers.', ...personal }),
    firstName: t.exposeString('firstName', { nullable: true, description: 'Personal data: null for viewers.', ...personal }),
    lastName: t.exposeString('lastName', { nullable: true, description: 'Personal data: null for viewers.', ...personal }),
    phone: t.exposeString('phone', { nullable: true, description: 'Personal data: null for viewers.', ...personal }),
    title: t.exposeString('title', { nullable: true }),
    seniority: t.exposeString('seniority', { nullable: true }),
    department: t.exposeString('department', { nullable: true }),
    companyName: t.exposeString('companyName', { nullable: true }),
    companySize: t.exposeInt('companySize', { nullable: true }),
    industry: t.exposeString('industry', { nullable: true }),
    country: t.exposeString('country', { nullable: true }),
    source: t.exposeString('source', { description: 'Acquisition source, e.g. paid_search, referral.' }),
    attributes: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Custom attributes used by fit rules (null for viewers: they may hold personal data).',
      ...personal,
      resolve: (lead) => lead.attributes,
    }),
    stage: t.field({ type: LifecycleStageEnum, resolve: (lead) => lead.stage }),
    stageChangedAt: t.expose('stageChangedAt', { type: 'DateTime' }),
    score: t.field({ type: LeadScoreRef, resolve: (lead) => lead }),
    handoffStatus: t.field({ type: HandoffStatusEnum, resolve: (lead) => lead.handoffStatus }),
    handoffMissingFields: t.exposeStringList('handoffMissingFields', {
      description: 'Required hand-off information this lead lacks (why a hand-off is held).',
    }),
    handedOffAt: t.expose('handedOffAt', { type: 'DateTime', nullable: true }),
    lastActivityAt: t.expose('lastActivityAt', { type: 'DateTime', nullable: true }),
    account: t.field({ type: AccountRef, nullable: true, resolve: (lead) => lead.accountId }),
    owner: t.field({
      type: UserRef,
      nullable: true,
      description: 'The sales rep the lead was routed to.',
      resolve: (lead) => lead.ownerId,
    }),
    agreement: t.field({ type: SlaAgreementRef, nullable: true, resolve: (lead) => lead.agreementId }),
    revision: t.field({
      type: AgreementRevisionRef,
      nullable: true,
      description: 'The agreement revision the current score and stage were computed under.',
      resolve: (lead) => lead.revisionId,
    }),
    stageTransitions: t.loadableList({
      type: StageTransitionRef,
      description: 'Every stage move, oldest first.',
      load: async (ids: string[], ctx) =>
        groupByKey(ids, await loadTransitionsByLead(ctx.db, ids), (row) => row.leadId),
      resolve: (lead) => lead.id,
    }),
    scoreLedger: t.loadableList({
      type: ScoreLedgerEntryRef,
      description: 'Every point given or taken, oldest first; the score equals their (decayed) sum.',
      load: async (ids: string[], ctx) => groupByKey(ids, await loadLedgerByLead(ctx.db, ids), (row) => row.leadId),
      resolve: (lead) => lead.id,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const LeadFilter = builder.inputType('LeadFilter', {
  description: 'Narrows the lead list; all given conditions must hold.',
  fields: (t) => ({
    stages: t.field({ type: [LifecycleStageEnum], required: false }),
    temperatures: t.field({ type: [TemperatureEnum], required: false }),
    ownerId: t.globalID({ required: false, for: UserRef, description: 'Leads owned by this user.' }),
    accountId: t.globalID({ required: false, for: AccountRef }),
    source: t.string({ required: false }),
    email: t.string({ required: false, description: 'The lead with this e-mail (any case). Not for viewers: e-mails are personal data.' }),
    minScore: t.int({ required: false, description: 'Total score at least this.' }),
    maxScore: t.int({ required: false, description: 'Total score at most this.' }),
    createdAfter: t.field({ type: 'DateTime', required: false }),
    createdBefore: t.field({ type: 'DateTime', required: false }),
  }),
});

const LeadOrder = builder.enumType('LeadOrder', {
  description: 'Stable orderings of the lead list.',
  values: {
    CREATED_AT_DESC: { description: 'Newest first (default).' },
    CREATED_AT_ASC: { description: 'Oldest first.' },
    SCORE_DESC: { description: 'Highest total score first.' },
    STAGE_CHANGED_AT_DESC: { description: 'Most recent stage change first.' },
  } as const,
});

const orderKeys = {
  CREATED_AT_DESC: { expr: sql`${leads.createdAt}`, key: (l: LeadRow) => l.createdAt.toISOString(), desc: true, cast: 'timestamptz' },
  CREATED_AT_ASC: { expr: sql`${leads.createdAt}`, key: (l: LeadRow) => l.createdAt.toISOString(), desc: false, cast: 'timestamptz' },
  SCORE_DESC: { expr: sql`(${leads.fitScore} + ${leads.interestScore})`, key: (l: LeadRow) => l.fitScore + l.interestScore, desc: true, cast: 'int' },
  STAGE_CHANGED_AT_DESC: { expr: sql`${leads.stageChangedAt}`, key: (l: LeadRow) => l.stageChangedAt.toISOString(), desc: true, cast: 'timestamptz' },
} as const;

function leadConditions(ctx: Context, filter: typeof LeadFilter.$inferInput | null | undefined): (SQL | undefined)[] {
  const total = sql`(${leads.fitScore} + ${leads.interestScore})`;
  for (const [name, id] of [['ownerId', filter?.ownerId?.id], ['accountId', filter?.accountId?.id]] as const) {
    if (id != null && !isUuid(id)) throw new BadUserInputError(`filter.${name} does not identify any record`);
  }
  // Filtering by e-mail would tell a viewer whether a person is a lead.
  if (filter?.email != null && ctx.viewer?.role === 'viewer') throw new ForbiddenGraphQLError('viewers cannot filter leads by e-mail (personal data)');
  return [
    filter?.email != null ? sql`lower(${leads.email}) = lower(${filter.email.trim()})` : undefined,
    ctx.viewer?.role === 'sales' ? eq(leads.ownerId, ctx.viewer.userId) : undefined,
    filter?.stages?.length ? inArray(leads.stage, filter.stages) : undefined,
    filter?.temperatures?.length ? inArray(leads.temperature, filter.temperatures) : undefined,
    filter?.ownerId ? eq(leads.ownerId, filter.ownerId.id) : undefined,
    filter?.accountId ? eq(leads.accountId, filter.accountId.id) : undefined,
    filter?.source ? eq(leads.source, filter.source) : undefined,
    filter?.minScore != null ? sql`${total} >= ${filter.minScore}` : undefined,
    filter?.maxScore != null ? sql`${total} <= ${filter.maxScore}` : undefined,
    filter?.createdAfter ? gte(leads.createdAt, filter.createdAfter) : undefined,
    filter?.createdBefore ? lte(leads.createdAt, filter.createdBefore) : undefined,
  ];
}

builder.queryFields((t) => ({
  leads: t.connection(
    {
      complexity: connectionComplexity,
      type: LeadRef,
      description: 'Leads, filtered and ordered. Sales reps see only their own leads.',
      authScopes: { authenticated: true },
      args: {
        filter: t.arg({ type: LeadFilter, required: false }),
        orderBy: t.arg({ type: LeadOrder, required: false, defaultValue: 'CREATED_AT_DESC' }),
      },
      resolve: async (_root, args, ctx) => {
        const order = orderKeys[args.orderBy ?? 'CREATED_AT_DESC'];
        const where = leadConditions(ctx, args.filter);
        const connection = await keysetConnection(
          args,
          (lead: LeadRow) => [order.key(lead), lead.id],
          [order.cast === 'int' ? 'int' : 'timestamp', 'uuid'],
          ({ before, after, limit, inverted }) => {
            // Keyset: rows strictly after/before the cursor in the (sort key, id) order.
            const forward = order.desc ? sql`<` : sql`>`;
            const backward = order.desc ? sql`>` : sql`<`;
            const cast = sql.raw(order.cast);
            const conditions = [...where];
            if (after) conditions.push(sql`(${order.expr}, ${leads.id}) ${forward} (${after[0]}::${cast}, ${after[1]}::uuid)`);
            if (before) conditions.push(sql`(${order.expr}, ${leads.id}) ${backward} (${before[0]}::${cast}, ${before[1]}::uuid)`);
            const descending = order.desc !== inverted;
            const direction = sql.raw(descending ? 'desc' : 'asc');
            return ctx.db
              .select()
              .from(leads)
              .where(and(...conditions))
              .orderBy(sql`${order.expr} ${direction}`, sql`${leads.id} ${direction}`)
              .limit(limit);
          },
        );
        return { ...connection, where };
      },
    },
    {
      description: 'A page of leads.',
      fields: (c) => ({
        totalCount: c.int({
          description: 'How many leads match the filter (one count statement, only when asked for).',
          resolve: async (conn, _args, ctx) => {
            const { where } = conn as unknown as { where: (SQL | undefined)[] };
            const [row] = await ctx.db
              .select({ n: sql<number>`count(*)::int` })
              .from(leads)
              .where(and(...where));
            return row?.n ?? 0;
          },
        }),
      }),
    },
  ),
  lead: t.field({
    type: LeadRef,
    nullable: true,
    description: 'One lead by its global id; null when it does not exist or is not yours to see.',
    authScopes: { authenticated: true },
    args: { id: t.arg.globalID({ required: true, for: LeadRef }) },
    resolve: async (_root, args, ctx) => {
      if (!isUuid(args.id.id)) return null;
      const [lead] = await ctx.db.select().from(leads).where(eq(leads.id, args.id.id)).limit(1);
      return lead && canSeeLead(lead, ctx) ? lead : null;
    },
  }),
}));
