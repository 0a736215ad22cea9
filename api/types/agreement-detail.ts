import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { agreementChanges } from '../../db/schema/index';
import type { RulesDocument } from '../../domain/agreements/document';
import { diffDocuments, type RuleChange } from '../../domain/agreements/diff';
import { readDocuments } from '../../domain/agreements/store';
import { builder } from '../builder';
import { BadUserInputError } from '../errors';
import { openCursorID, sealCursorID } from '../global-ids';
import { isUuid } from '../loaders';
import { keysetConnection } from '../pagination';
import {
  AllowedTransitionRef,
  BusinessHoursRef,
  CadenceRef,
  ClockRuleRef,
  GoalRef,
  HandoffRef,
  HolidayRef,
  NurtureWorkflowRef,
  PipelineStageRef,
  ReasonCodeRef,
  RecycleRuleRef,
  RoutingRef,
  ScopeRef,
  ScoringRef,
  StageDefinitionRef,
} from './agreement-rules';
import { AgreementRevisionRef, SlaAgreementRef, UserRef } from './refs';
import { connectionComplexity } from '../limits';

// The rules of revisions (one batched read for all revisions on a page), revision diffs and the
// agreement's change log.

/** Rules of several revisions at once; Pothos keeps one loader per request. */
export const AgreementRulesRef = builder.loadableObjectRef('AgreementRules', {
  load: async (ids: string[], ctx) => {
    const docs = await readDocuments(ctx.db, ids);
    return docs.map((doc, i) => doc ?? new Error(`revision ${ids[i]} not found`));
  },
});

AgreementRulesRef.implement({
  description: 'Every part of the SLA in one revision (the seven parts of the article).',
  authScopes: { personalData: true },
  fields: (t) => ({
    timeZone: t.exposeString('timeZone'),
    stages: t.field({ type: [StageDefinitionRef], description: 'Definitions: what each stage means.', resolve: (d) => d.stages }),
    transitions: t.field({ type: [AllowedTransitionRef], description: 'The stage machine.', resolve: (d) => d.transitions }),
    pipelineStages: t.field({ type: [PipelineStageRef], resolve: (d) => d.pipelineStages }),
    scoring: t.field({ type: ScoringRef, description: 'Lead quality.', resolve: (d) => d.scoring }),
    handoff: t.field({ type: HandoffRef, description: 'Lead conversion (hand-off).', resolve: (d) => d.handoff }),
    scope: t.field({ type: ScopeRef, description: 'Which leads the agreement governs when this revision is active.', resolve: (d) => d.scope }),
    routing: t.field({ type: RoutingRef, resolve: (d) => d.routing }),
    businessHours: t.field({ type: [BusinessHoursRef], resolve: (d) => d.businessHours }),
    holidays: t.field({ type: [HolidayRef], resolve: (d) => d.holidays }),
    clocks: t.field({ type: [ClockRuleRef], description: 'SLA clocks in business minutes.', resolve: (d) => d.clocks }),
    cadence: t.field({ type: CadenceRef, nullable: true, description: 'Sales follow-up.', resolve: (d) => d.cadence }),
    reasonCodes: t.field({ type: [ReasonCodeRef], resolve: (d) => d.reasonCodes }),
    recycleRules: t.field({ type: [RecycleRuleRef], description: 'The way back to Marketing.', resolve: (d) => d.recycleRules }),
    nurtureWorkflows: t.field({ type: [NurtureWorkflowRef], description: 'Lead nurturing.', resolve: (d) => d.nurtureWorkflows }),
  }),
});

export const RuleChangeKindEnum = builder.enumType('RuleChangeKind', {
  description: 'How an item differs between two revisions.',
  values: { ADDED: { value: 'added' }, REMOVED: { value: 'removed' }, CHANGED: { value: 'changed' } } as const,
});

export const RuleChangeRef = builder.objectRef<RuleChange>('RuleChange').implement({
  description: 'One difference between two revisions: an item added or removed, or one field of it changed.',
  fields: (t) => ({
    part: t.exposeString('part', { description: 'e.g. scoring.rules, goals, cadence, transitions.' }),
    key: t.exposeString('key', { nullable: true, description: 'The item’s key within the part (rule key, stage, from→to…).' }),
    kind: t.field({ type: RuleChangeKindEnum, resolve: (c) => c.kind }),
    field: t.exposeString('field', { nullable: true }),
    before: t.field({ type: 'JSON', nullable: true, resolve: (c) => c.before as never }),
    after: t.field({ type: 'JSON', nullable: true, resolve: (c) => c.after as never }),
  }),
});

builder.objectFields(AgreementRevisionRef, (t) => ({
  rules: t.field({
    type: AgreementRulesRef,
    nullable: true,
    description: 'The full rules of this revision. Null for viewers, who see the summary (goals) only.',
    authScopes: { personalData: true },
    unauthorizedResolver: () => null,
    resolve: (r) => r.id,
  }),
  goals: t.loadableList({
    type: GoalRef,
    description: 'Shared SMART goals with their reverse funnel and pacing.',
    load: async (ids: string[], ctx) => {
      const docs = await readDocuments(ctx.db, ids);
      return docs.map((doc) => (doc ? doc.goals.map((goal) => ({ ...goal, revisionId: doc.revisionId, agreementId: doc.agreementId })) : []));
    },
    resolve: (r) => r.id,
  }),
}));

const AgreementChangeRef = builder.objectRef<typeof agreementChanges.$inferSelect>('AgreementChange').implement({
  description: 'One recorded change to an agreement or its rules.',
  fields: (t) => ({
    action: t.exposeString('action', { description: 'create, update, delete, activate or archive.' }),
    entity: t.exposeString('entity', { description: 'agreement, revision, or the part changed (scoring, goals, cadence…).' }),
    entityId: t.exposeString('entityId', { nullable: true }),
    actor: t.field({ type: UserRef, nullable: true, resolve: (c) => c.actorUserId }),
    revision: t.field({ type: AgreementRevisionRef, nullable: true, resolve: (c) => c.revisionId }),
    before: t.field({ type: 'JSON', nullable: true, resolve: (c) => c.before as never }),
    after: t.field({ type: 'JSON', nullable: true, resolve: (c) => c.after as never }),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

builder.objectFields(SlaAgreementRef, (t) => ({
  changes: t.connection({
    complexity: connectionComplexity,
    type: AgreementChangeRef,
    description: 'The change log, newest first: who changed what, when, with before/after. Not for viewers.',
    authScopes: { personalData: true },
    resolve: (agreement, args, ctx) =>
      // The change id sealed in cursors (api/global-ids.ts): a plain one would count every agreement's changes.
      keysetConnection(args, (c: typeof agreementChanges.$inferSelect) => [sealCursorID(ctx, 'AgreementChange', c.id)], ['text'], ({ before, after, limit, inverted }) =>
        ctx.db
          .select()
          .from(agreementChanges)
          .where(
            and(
              eq(agreementChanges.agreementId, agreement.id),
              after ? lt(agreementChanges.id, openCursorID(ctx, 'AgreementChange', after[0])) : undefined,
              before ? sql`${agreementChanges.id} > ${openCursorID(ctx, 'AgreementChange', before[0])}` : undefined,
            ),
          )
          .orderBy(inverted ? agreementChanges.id : desc(agreementChanges.id))
          .limit(limit),
      ),
  }),
}));

builder.queryFields((t) => ({
  agreementRevisionDiff: t.field({
    type: [RuleChangeRef],
    description: 'What changed from one revision to another (of the same or different agreements).',
    authScopes: { personalData: true },
    args: {
      fromRevisionId: t.arg.globalID({ required: true, for: AgreementRevisionRef }),
      toRevisionId: t.arg.globalID({ required: true, for: AgreementRevisionRef }),
    },
    resolve: async (_root, args, ctx) => {
      const ids = [args.fromRevisionId.id, args.toRevisionId.id];
      if (!ids.every(isUuid)) throw new BadUserInputError('unknown revision id');
      const [from, to] = (await readDocuments(ctx.db, ids)) as [RulesDocument | undefined, RulesDocument | undefined];
      if (!from || !to) throw new BadUserInputError(`unknown revision ${from ? args.toRevisionId.id : args.fromRevisionId.id}`);
      return diffDocuments(from, to);
    },
  }),
}));
