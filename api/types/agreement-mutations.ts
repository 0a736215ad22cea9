import type { RulesInput } from '../../domain/agreements/service';
import {
  activateRevision,
  archiveAgreement,
  createAgreement,
  discardDraft,
  startDraft,
  updateAgreement,
  updateDraft,
} from '../../domain/agreements/service';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors';
import { builder } from '../builder';
import type { AgreementRow, RevisionRow } from '../loaders';
import { isUuid } from '../loaders';
import { RuleChangeRef } from './agreement-detail';
import { AgreementRulesInput, rulesFromInput } from './agreement-inputs';
import { AgreementRevisionRef, SlaAgreementRef } from './refs';
import type { RuleChange } from '../../domain/agreements/diff';
import { describeScope, previewScope, type ScopeMove } from '../../domain/agreements/scope';
import { readDocuments } from '../../domain/agreements/store';
import { BadUserInputError } from '../errors';
import type { Context } from '../context';
import { continueRescore, startRescore, type RescoreRun } from '../../domain/scoring/rescore';
import { processInBackground, RescoreRunRef } from './scoring';

// Admins write agreements. Each mutation returns its payload or a typed error; a refused
// mutation writes nothing (domain/agreements/service.ts runs each in one transaction).

const errors = { types: [ValidationError, NotFoundError, ConflictError] };
const admin = { authScopes: { admin: true } } as const;

/**
 * Starts a re-score run per agreement (in the background when it has leads). The change that asks
 * for it has committed already: a run that cannot start (one is running for that revision, and will
 * cover the leads) is skipped, never turned into an error for the committed change.
 */
async function rescoreAll(ctx: Context, agreementIds: string[], requalify: boolean): Promise<RescoreRun[]> {
  const runs: RescoreRun[] = [];
  for (const id of agreementIds) {
    let run: RescoreRun;
    try {
      run = await startRescore(ctx.db, { agreementId: id, requalify, startedById: ctx.viewer!.userId });
    } catch (error) {
      if (error instanceof ConflictError) continue;
      throw error;
    }
    if (run.totalLeads > 0) processInBackground(ctx, run);
    else await continueRescore(ctx.db, run.id);
    runs.push(run);
  }
  return runs;
}

function agreementId(id: { id: string }): string {
  if (!isUuid(id.id)) throw new NotFoundError('SlaAgreement', id.id);
  return id.id;
}

export const ScopeMoveRef = builder.objectRef<ScopeMove>('ScopeMove').implement({
  description: 'Leads that change (or would change) governing agreement.',
  fields: (t) => ({
    from: t.field({ type: SlaAgreementRef, nullable: true, description: 'Null: leads no agreement governed.', resolve: (m) => m.fromAgreementId }),
    to: t.field({ type: SlaAgreementRef, nullable: true, description: 'Null: no active scope matches them any more.', resolve: (m) => m.toAgreementId }),
    leads: t.exposeInt('leads'),
  }),
});

const AgreementPayload = builder.objectRef<{
  agreement: AgreementRow;
  revision?: RevisionRow | null;
  changes?: RuleChange[];
  rescoreRun?: RescoreRun | null;
  rescoreRuns?: RescoreRun[];
  warnings?: string[];
  scopeMoves?: ScopeMove[];
}>('SlaAgreementPayload').implement({
  description: 'The agreement after the change, and the revision it touched.',
  fields: (t) => ({
    warnings: t.stringList({
      description: 'What an activation allowed but found odd: reps away or at capacity, a scope matching no lead, two agreements at one priority…',
      resolve: (p) => p.warnings ?? [],
    }),
    scopeMoves: t.field({
      type: [ScopeMoveRef],
      description: 'Leads the activation (or archive) moved between agreements, each with an audit row (Lead.agreementChanges).',
      resolve: (p) => p.scopeMoves ?? [],
    }),
    otherRescoreRuns: t.field({
      type: [RescoreRunRef],
      description: 'Re-scores started for other agreements that received leads from the scope change.',
      resolve: (p) => p.rescoreRuns ?? [],
    }),
    agreement: t.field({ type: SlaAgreementRef, resolve: (p) => p.agreement }),
    revision: t.field({ type: AgreementRevisionRef, nullable: true, resolve: (p) => p.revision ?? null }),
    changes: t.field({
      type: [RuleChangeRef],
      description: 'What this call changed in the draft (empty for calls that change no rules).',
      resolve: (p) => p.changes ?? [],
    }),
    rescoreRun: t.field({
      type: RescoreRunRef,
      nullable: true,
      description: 'The re-score an activation started (follow it with rescoreRun).',
      resolve: (p) => p.rescoreRun ?? null,
    }),
  }),
});

const RescoreModeEnum = builder.enumType('RescoreMode', {
  description: 'What activating a revision does to existing leads.',
  values: {
    NONE: { description: 'Nothing: new rules apply to new activity only.' },
    RESCORE: { description: 'Re-score every lead under the new rules (stages unchanged).' },
    RESCORE_AND_REQUALIFY: { description: 'Re-score, and move leads that now meet the MQL thresholds.' },
  } as const,
});

const CreateSlaAgreementInput = builder.inputType('CreateSlaAgreementInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'Unique (case-insensitive).' }),
    description: t.string({ required: false }),
    segment: t.field({ type: 'JSON', required: false, description: 'Leads the agreement covers, e.g. {"country": ["US"]}; null for all.' }),
    rules: t.field({ type: AgreementRulesInput, required: false, description: 'The first revision’s rules (a draft until activated).' }),
  }),
});

const UpdateSlaAgreementInput = builder.inputType('UpdateSlaAgreementInput', {
  fields: (t) => ({
    agreementId: t.globalID({ required: true, for: SlaAgreementRef }),
    name: t.string({ required: false }),
    description: t.string({ required: false }),
    segment: t.field({ type: 'JSON', required: false }),
  }),
});

const UpdateAgreementRulesInput = builder.inputType('UpdateAgreementRulesInput', {
  fields: (t) => ({
    agreementId: t.globalID({ required: true, for: SlaAgreementRef }),
    rules: t.field({ type: AgreementRulesInput, required: true }),
  }),
});

const AgreementIdInput = builder.inputType('SlaAgreementIdInput', {
  fields: (t) => ({ agreementId: t.globalID({ required: true, for: SlaAgreementRef }) }),
});

const ActivateAgreementRevisionInput = builder.inputType('ActivateAgreementRevisionInput', {
  fields: (t) => ({
    revisionId: t.globalID({ required: true, for: AgreementRevisionRef, description: 'The draft to put in force.' }),
    rescore: t.field({ type: RescoreModeEnum, required: false, defaultValue: 'RESCORE' }),
  }),
});

builder.mutationFields((t) => ({
  createSlaAgreement: t.field({
    ...admin,
    type: AgreementPayload,
    description: 'Create an agreement (status DRAFT) with its first revision’s rules. Activate it to put it in force.',
    args: { input: t.arg({ type: CreateSlaAgreementInput, required: true }) },
    errors,
    resolve: async (_root, { input }, ctx) =>
      createAgreement(ctx.db, { userId: ctx.viewer!.userId }, {
        name: input.name,
        description: input.description ?? undefined,
        segment: input.segment ?? undefined,
        rules: rulesFromInput(input.rules) as RulesInput,
      }),
  }),
  updateSlaAgreement: t.field({
    ...admin,
    type: AgreementPayload,
    description: 'Rename or re-describe an agreement, or change its segment.',
    args: { input: t.arg({ type: UpdateSlaAgreementInput, required: true }) },
    errors,
    resolve: async (_root, { input }, ctx) => ({
      agreement: await updateAgreement(ctx.db, { userId: ctx.viewer!.userId }, {
        agreementId: agreementId(input.agreementId),
        name: input.name ?? undefined,
        description: input.description ?? undefined,
        segment: input.segment === undefined ? undefined : input.segment,
      }),
    }),
  }),
  updateAgreementRules: t.field({
    ...admin,
    type: AgreementPayload,
    description:
      'Change rules. Changes always go to the draft revision — created from the active revision when there is none — never into the revision in force.',
    args: { input: t.arg({ type: UpdateAgreementRulesInput, required: true }) },
    errors,
    resolve: async (_root, { input }, ctx) => {
      const id = agreementId(input.agreementId);
      const { revision, changes } = await updateDraft(ctx.db, { userId: ctx.viewer!.userId }, id, rulesFromInput(input.rules) as RulesInput);
      const [agreement] = await SlaAgreementRef.getDataloader(ctx).loadMany([id]);
      return { agreement: agreement as AgreementRow, revision, changes };
    },
  }),
  startAgreementRevision: t.field({
    ...admin,
    type: AgreementPayload,
    description: 'Open a draft revision copied from the active one (returns the existing draft if there is one).',
    args: { input: t.arg({ type: AgreementIdInput, required: true }) },
    errors,
    resolve: async (_root, { input }, ctx) => {
      const id = agreementId(input.agreementId);
      const revision = await startDraft(ctx.db, { userId: ctx.viewer!.userId }, id);
      return { agreement: (await SlaAgreementRef.getDataloader(ctx).load(id)) as AgreementRow, revision };
    },
  }),
  discardAgreementDraft: t.field({
    ...admin,
    type: AgreementPayload,
    description: 'Throw the draft revision away.',
    args: { input: t.arg({ type: AgreementIdInput, required: true }) },
    errors,
    resolve: async (_root, { input }, ctx) => {
      const id = agreementId(input.agreementId);
      await discardDraft(ctx.db, { userId: ctx.viewer!.userId }, id);
      return { agreement: (await SlaAgreementRef.getDataloader(ctx).load(id)) as AgreementRow };
    },
  }),
  activateAgreementRevision: t.field({
    ...admin,
    type: AgreementPayload,
    description: 'Put a complete draft in force; the previously active revision is retired.',
    args: { input: t.arg({ type: ActivateAgreementRevisionInput, required: true }) },
    errors,
    resolve: async (_root, { input }, ctx) => {
      if (!isUuid(input.revisionId.id)) throw new NotFoundError('AgreementRevision', input.revisionId.id);
      const result = await activateRevision(ctx.db, { userId: ctx.viewer!.userId }, input.revisionId.id);
      const mode = input.rescore ?? 'RESCORE';
      // Leads a scope moved to another agreement are re-scored under their new rules whatever the mode.
      const others = await rescoreAll(ctx, result.receivers.filter((id) => id !== result.agreement.id), false);
      if (mode === 'NONE') {
        const moved = result.receivers.includes(result.agreement.id) ? await rescoreAll(ctx, [result.agreement.id], false) : [];
        return { ...result, rescoreRun: moved[0] ?? null, rescoreRuns: others };
      }
      const [run] = await rescoreAll(ctx, [result.agreement.id], mode === 'RESCORE_AND_REQUALIFY');
      return { ...result, rescoreRun: run, rescoreRuns: others };
    },
  }),
  archiveSlaAgreement: t.field({
    ...admin,
    type: AgreementPayload,
    description: 'Retire the agreement for good; its history stays readable.',
    args: { input: t.arg({ type: AgreementIdInput, required: true }) },
    errors,
    resolve: async (_root, { input }, ctx) => {
      const { receivers, scopeMoves, ...agreement } = await archiveAgreement(ctx.db, { userId: ctx.viewer!.userId }, agreementId(input.agreementId));
      return { agreement, scopeMoves, rescoreRuns: await rescoreAll(ctx, receivers ?? [], false) };
    },
  }),
}));

const ScopePreviewRef = builder
  .objectRef<{ agreementId: string; revisionId: string; governs: number; moves: ScopeMove[]; rules: string }>('AgreementScopePreview')
  .implement({
    description: 'What activating a revision’s scope would do, counted on the leads as they are now.',
    fields: (t) => ({
      agreement: t.field({ type: SlaAgreementRef, resolve: (p) => p.agreementId }),
      revision: t.field({ type: AgreementRevisionRef, resolve: (p) => p.revisionId }),
      scope: t.exposeString('rules', { description: 'The scope in words.' }),
      governs: t.exposeInt('governs', { description: 'Leads the agreement would govern.' }),
      moves: t.field({
        type: [ScopeMoveRef],
        description: 'Leads it would take (to = this agreement) from which agreement (null: ungoverned leads), and leads it would release.',
        resolve: (p) => p.moves,
      }),
    }),
  });

builder.queryFields((t) => ({
  previewAgreementScope: t.field({
    ...admin,
    type: ScopePreviewRef,
    description: 'Counts the leads a revision’s scope (usually a draft’s) would take from which agreement, before you activate it.',
    args: { revisionId: t.arg.globalID({ required: true, for: AgreementRevisionRef }) },
    resolve: async (_root, args, ctx) => {
      if (!isUuid(args.revisionId.id)) throw new BadUserInputError(`no revision ${args.revisionId.id}`);
      const [doc] = await readDocuments(ctx.db, [args.revisionId.id]);
      if (!doc) throw new BadUserInputError(`no revision ${args.revisionId.id}`);
      const preview = await previewScope(ctx.db, args.revisionId.id);
      return { ...preview, revisionId: args.revisionId.id, rules: describeScope(doc!.scope.rules) };
    },
  }),
}));
