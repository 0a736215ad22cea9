import { desc, eq } from 'drizzle-orm';
import { rescoreRuns } from '../../db/schema/index';
import { backtestRevision, type BacktestFigures } from '../../domain/scoring/backtest';
import { continueRescore, failRescore, startRescore, type RescoreRun } from '../../domain/scoring/rescore';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors';
import { builder } from '../builder';
import type { Context } from '../context';
import { isUuid } from '../loaders';
import { AgreementRevisionRef, SlaAgreementRef } from './refs';

export const RescoreRunRef = builder.objectRef<RescoreRun>('RescoreRun').implement({
  description: 'A re-score of every lead of an agreement, in resumable batches.',
  fields: (t) => ({
    id: t.exposeID('id'),
    agreement: t.field({ type: SlaAgreementRef, resolve: (r) => r.agreementId }),
    revision: t.field({ type: AgreementRevisionRef, resolve: (r) => r.revisionId }),
    requalify: t.exposeBoolean('requalify', { description: 'Leads meeting the new thresholds are moved to MQL.' }),
    status: t.exposeString('status', { description: 'running, completed or failed.' }),
    totalLeads: t.exposeInt('totalLeads'),
    processedLeads: t.exposeInt('processedLeads'),
    progress: t.float({ resolve: (r) => (r.totalLeads ? r.processedLeads / r.totalLeads : 1), description: '0–1.' }),
    mqlsCreated: t.exposeInt('mqlsCreated'),
    error: t.exposeString('error', { nullable: true }),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
  }),
});

/** Starts processing a run after the response; the run's row shows its progress. */
export function processInBackground(ctx: Context, run: RescoreRun) {
  const work = (signal?: AbortSignal) =>
    // The process's database, not the request's: the run outlives the request and its deadline.
    continueRescore(ctx.database.db, run.id, undefined, undefined, signal).catch((error) =>
      failRescore(ctx.database.db, run.id, error).then(() => Promise.reject(error)),
    );
  if (ctx.background) ctx.background.run(`rescore ${run.id}`, work);
  else void work();
}

const PrecisionRef = builder.objectRef<{ numerator: number; denominator: number }>('Precision').implement({
  description: 'A share with what it was computed from.',
  fields: (t) => ({
    rate: t.float({ nullable: true, resolve: (p) => (p.denominator ? p.numerator / p.denominator : null) }),
    numerator: t.exposeInt('numerator'),
    denominator: t.exposeInt('denominator'),
  }),
});

const BacktestFiguresRef = builder.objectRef<BacktestFigures>('BacktestFigures').implement({
  description: 'What a revision’s rules would have done to the leads created in the window.',
  fields: (t) => ({
    revision: t.field({ type: AgreementRevisionRef, resolve: (f) => f.revisionId }),
    leads: t.exposeInt('leads', { description: 'Leads created in the window.' }),
    mqls: t.exposeInt('mqls', { description: 'Leads that would have become MQL.' }),
    reachedSql: t.exposeInt('reachedSql', { description: 'Of those, leads that really reached SQL.' }),
    won: t.exposeInt('won', { description: 'Of those, leads with a won opportunity.' }),
    sqlPrecision: t.field({ type: PrecisionRef, resolve: (f) => ({ numerator: f.reachedSql, denominator: f.mqls }) }),
    wonPrecision: t.field({ type: PrecisionRef, resolve: (f) => ({ numerator: f.won, denominator: f.mqls }) }),
  }),
});

const BacktestRef = builder.objectRef<{ from: string; to: string; candidate: BacktestFigures; active: BacktestFigures | null }>('Backtest').implement({
  description: 'A draft revision’s rules applied to past activity, beside the active revision’s.',
  fields: (t) => ({
    from: t.field({ type: 'Date', resolve: (b) => b.from }),
    to: t.field({ type: 'Date', resolve: (b) => b.to }),
    candidate: t.field({ type: BacktestFiguresRef, resolve: (b) => b.candidate }),
    active: t.field({ type: BacktestFiguresRef, nullable: true, resolve: (b) => b.active }),
  }),
});

builder.objectFields(SlaAgreementRef, (t) => ({
  rescoreRuns: t.field({
    type: [RescoreRunRef],
    description: 'Re-score runs, newest first.',
    authScopes: { personalData: true },
    resolve: (a, _args, ctx) => ctx.db.select().from(rescoreRuns).where(eq(rescoreRuns.agreementId, a.id)).orderBy(desc(rescoreRuns.startedAt)).limit(20),
  }),
}));

builder.queryFields((t) => ({
  rescoreRun: t.field({
    type: RescoreRunRef,
    nullable: true,
    authScopes: { personalData: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = String(args.id);
      if (!isUuid(id)) return null;
      const [run] = await ctx.db.select().from(rescoreRuns).where(eq(rescoreRuns.id, id));
      return run ?? null;
    },
  }),
  backtestRevision: t.field({
    type: BacktestRef,
    description: 'Apply a (draft) revision’s scoring to the leads created between from and to, and compare with the active revision: MQLs it would have made and how many of them really reached SQL and won.',
    authScopes: { admin: true, marketing: true },
    args: {
      revisionId: t.arg.globalID({ required: true, for: AgreementRevisionRef }),
      from: t.arg({ type: 'Date', required: true }),
      to: t.arg({ type: 'Date', required: true }),
    },
    errors: { types: [ValidationError, NotFoundError] },
    resolve: (_root, args, ctx) => {
      if (!isUuid(args.revisionId.id)) throw new NotFoundError('AgreementRevision', args.revisionId.id);
      return backtestRevision(ctx.db, { revisionId: args.revisionId.id, from: args.from, to: args.to });
    },
  }),
}));

const RescoreAgreementInput = builder.inputType('RescoreAgreementInput', {
  fields: (t) => ({
    agreementId: t.globalID({ required: true, for: SlaAgreementRef }),
    requalify: t.boolean({ required: false, defaultValue: false, description: 'Also move leads that now meet the MQL thresholds.' }),
  }),
});

builder.mutationFields((t) => ({
  rescoreAgreement: t.field({
    type: RescoreRunRef,
    description: 'Re-score every lead of the agreement under its active revision (set-based, in batches; follow progress with rescoreRun).',
    authScopes: { admin: true },
    args: { input: t.arg({ type: RescoreAgreementInput, required: true }) },
    errors: { types: [NotFoundError, ConflictError] },
    resolve: async (_root, { input }, ctx) => {
      if (!isUuid(input.agreementId.id)) throw new NotFoundError('SlaAgreement', input.agreementId.id);
      const run = await startRescore(ctx.db, { agreementId: input.agreementId.id, requalify: input.requalify ?? false, startedById: ctx.viewer!.userId });
      processInBackground(ctx, run);
      return run;
    },
  }),
}));
