import { and, eq, sql } from 'drizzle-orm';
import { rows, type Db } from '../../db/client';
import { agreementRevisions, rescoreRuns, slaAgreements } from '../../db/schema/index';
import { ConflictError, NotFoundError } from '../errors';
import { requestHandoffs } from '../handoff/handoff';
import { changedRuleKeys, loadRevisionRules, reconcileScores } from './reconcile';

// Re-scoring every lead of an agreement under a revision: batches of leads in id order, each batch
// one transaction of set-based statements (reconcileScores), the cursor saved with the batch, so a
// run resumes where it stopped and its progress can be read at any time.

export type RescoreRun = typeof rescoreRuns.$inferSelect;

export const RESCORE_BATCH = 2_000;

export async function startRescore(
  db: Db,
  input: { agreementId: string; revisionId?: string; requalify: boolean; startedById?: string | null },
): Promise<RescoreRun> {
  return db.transaction(async (tx) => {
    const [agreement] = await tx.select().from(slaAgreements).where(eq(slaAgreements.id, input.agreementId)).for('update');
    if (!agreement) throw new NotFoundError('SlaAgreement', input.agreementId);
    const revisionId = input.revisionId ?? agreement.activeRevisionId;
    if (!revisionId || agreement.status !== 'active') throw new ConflictError('only an active agreement can be re-scored');
    const [revision] = await tx.select().from(agreementRevisions).where(eq(agreementRevisions.id, revisionId));
    if (revision?.status !== 'active') throw new ConflictError('leads are scored under the active revision only');
    const [running] = await tx.select().from(rescoreRuns).where(and(eq(rescoreRuns.agreementId, agreement.id), eq(rescoreRuns.status, 'running')));
    if (running && running.revisionId === revisionId) throw new ConflictError(`a re-score of this agreement is already running (${running.processedLeads}/${running.totalLeads})`);
    if (running) {
      // A newer revision supersedes a run of the old one: the new run re-scores every lead anyway.
      await tx.update(rescoreRuns).set({ status: 'failed', error: 'superseded by a newer revision', finishedAt: new Date() }).where(eq(rescoreRuns.id, running.id));
    }
    const [{ total }] = (await rows<{ total: number }>(tx, sql`select count(*)::int as total from leads where agreement_id = ${agreement.id}::uuid`)) as [{ total: number }];
    const [run] = await tx
      .insert(rescoreRuns)
      .values({ agreementId: agreement.id, revisionId, requalify: input.requalify, totalLeads: total, startedById: input.startedById ?? null })
      .returning();
    return run!;
  });
}

/**
 * Processes the run's remaining batches. Safe to call from several processes: each batch locks the
 * run row (SKIP LOCKED), so a second worker simply returns.
 */
export async function continueRescore(
  db: Db,
  runId: string,
  onProgress?: (run: RescoreRun) => void,
  batchSize = RESCORE_BATCH,
  /** Aborted (e.g. on SIGTERM): stop after the current batch; the run stays running and resumes later. */
  signal?: AbortSignal,
): Promise<RescoreRun> {
  /** Rules that differ from the run's revision, by the revision a lead was scored under. */
  const changedKeys = new Map<string, Awaited<ReturnType<typeof changedRuleKeys>>>();
  for (;;) {
    if (signal?.aborted) {
      const [paused] = await db.select().from(rescoreRuns).where(eq(rescoreRuns.id, runId));
      if (!paused) throw new NotFoundError('RescoreRun', runId);
      return paused;
    }
    const step = await db.transaction(async (tx) => {
      const [run] = await tx.select().from(rescoreRuns).where(eq(rescoreRuns.id, runId)).for('update', { skipLocked: true });
      if (!run) {
        // Locked: another worker is on this run, so this one steps aside.
        const [busy] = await tx.select().from(rescoreRuns).where(eq(rescoreRuns.id, runId));
        return { run: busy, done: true };
      }
      if (run.status !== 'running') return { run, done: true };
      const [revision] = await tx.select({ status: agreementRevisions.status }).from(agreementRevisions).where(eq(agreementRevisions.id, run.revisionId));
      if (revision?.status !== 'active') {
        const [stopped] = await tx.update(rescoreRuns).set({ status: 'failed', error: 'its revision is no longer active', finishedAt: new Date() }).where(eq(rescoreRuns.id, runId)).returning();
        return { run: stopped, done: true };
      }
      const batch = await rows<{ id: string }>(
        tx,
        sql`select id from leads where agreement_id = ${run.agreementId}::uuid and id > ${run.lastLeadId ?? '00000000-0000-0000-0000-000000000000'}::uuid order by id limit ${batchSize}`,
      );
      if (batch.length === 0) {
        const [finished] = await tx.update(rescoreRuns).set({ status: 'completed', finishedAt: new Date() }).where(eq(rescoreRuns.id, runId)).returning();
        return { run: finished, done: true };
      }
      const ids = batch.map((b) => b.id);
      // A lead already scored under this revision has its ledger in line with its rules (every new
      // activity and attribute change is reconciled when it arrives): only its snapshot is brought
      // up to date (interest decayed to now, temperature). Read under the lock: the lead's latest.
      // A lead scored under an earlier revision has only the rules that differ between the two
      // reconciled (changedRuleKeys); a lead never scored, all of them.
      // A lead that changed agreement since it was scored (a scope moved it, its revision id set
      // to the new agreement's) was never reconciled under its new rules: every rule, too.
      const locked = await rows<{ id: string; revision_id: string | null; scored: boolean }>(
        tx,
        sql`select l.id, l.revision_id, l.scored_at is not null
            and not exists (select 1 from lead_agreement_changes c where c.lead_id = l.id and c.occurred_at >= l.scored_at) as scored
          from leads l where l.id = any(${`{${ids.join(',')}}`}::uuid[]) order by l.id for update of l`,
      );
      const rules = await loadRevisionRules(tx, run.revisionId, { inForce: true });
      const at = new Date();
      const groups = new Map<string, string[]>();
      for (const lead of locked) {
        const group = !lead.scored || !lead.revision_id ? 'all' : lead.revision_id;
        groups.set(group, [...(groups.get(group) ?? []), lead.id]);
      }
      const result = { newMqls: [] as string[] };
      for (const [group, leadIds] of groups) {
        // Never scored: every rule. Scored under this revision: none (the snapshot only).
        let only: { keys: string[]; dimensions: ('fit' | 'interest')[] } | undefined;
        if (group === run.revisionId) only = { keys: [], dimensions: [] };
        else if (group !== 'all') {
          if (!changedKeys.has(group)) changedKeys.set(group, await changedRuleKeys(tx, group, run.revisionId));
          only = changedKeys.get(group);
        }
        const reconciled = await reconcileScores(tx, rules, leadIds, {
          at,
          qualify: run.requalify,
          ...(only ? { ruleKeys: only.keys, dimensions: only.dimensions } : {}),
        });
        result.newMqls.push(...reconciled.newMqls);
      }
      await requestHandoffs(tx, result.newMqls.map((leadId) => ({ leadId, agreementId: run.agreementId, trigger: 'mql', at })), at);
      const [updated] = await tx
        .update(rescoreRuns)
        .set({
          lastLeadId: ids[ids.length - 1]!,
          processedLeads: sql`${rescoreRuns.processedLeads} + ${ids.length}`,
          mqlsCreated: sql`${rescoreRuns.mqlsCreated} + ${result.newMqls.length}`,
        })
        .where(eq(rescoreRuns.id, runId))
        .returning();
      return { run: updated, done: false };
    });
    if (step.run) onProgress?.(step.run);
    if (step.done) {
      if (!step.run) throw new NotFoundError('RescoreRun', runId);
      return step.run;
    }
  }
}

export async function failRescore(db: Db, runId: string, error: unknown) {
  await db.update(rescoreRuns).set({ status: 'failed', error: String((error as Error)?.message ?? error), finishedAt: new Date() }).where(eq(rescoreRuns.id, runId));
}

/** Runs left running by a stopped process, to resume at start-up. */
export async function runningRescores(db: Db): Promise<RescoreRun[]> {
  return db.select().from(rescoreRuns).where(eq(rescoreRuns.status, 'running'));
}
