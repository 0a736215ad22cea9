import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client';
import { continueRescore, runningRescores, startRescore } from '../../domain/scoring/rescore';
import { openTestDatabase } from '../helpers/db';
import { buildFixture, type Fixture } from '../helpers/fixtures';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let fx: Fixture;

beforeAll(async () => {
  database = await openTestDatabase();
  fx = await buildFixture(database.db, 50);
});
afterAll(async () => {
  await database?.dispose();
});

describe('stopping a re-score run (SIGTERM, server stop)', () => {
  it('stops after the current batch, stays running with its progress, and resumes where it stopped', async () => {
    const run = await startRescore(database.db, { agreementId: fx.agreementId, requalify: false });
    expect(run.totalLeads).toBe(50);
    const stop = new AbortController();
    const batches: number[] = [];
    const paused = await continueRescore(database.db, run.id, (progress) => {
      batches.push(progress.processedLeads);
      stop.abort(); // the stop arrives while the first batch runs
    }, 20, stop.signal);
    expect(batches).toEqual([20]);
    expect(paused).toMatchObject({ status: 'running', processedLeads: 20 });
    expect((await runningRescores(database.db)).map((r) => r.id)).toEqual([run.id]);

    const finished = await continueRescore(database.db, run.id, undefined, 20);
    expect(finished).toMatchObject({ status: 'completed', processedLeads: 50 });
  });

  it('writes no ledger row and no lead when a run finds nothing changed', async () => {
    const snapshot = () =>
      rows<{ id: string; updated_at: string; scored_at: string; fit_score: number; interest_score: number; temperature: string; version: number }>(
        database.db,
        sql`select id, updated_at::text, scored_at::text, fit_score, interest_score, temperature, version from leads order by id`,
      );
    const ledger = async () => (await rows<{ n: number }>(database.db, sql`select count(*)::int as n from score_ledger`))[0]!.n;
    const before = await snapshot();
    const ledgerBefore = await ledger();
    expect(before.filter((l) => l.scored_at !== null)).toHaveLength(50); // scored by the run above
    const run = await startRescore(database.db, { agreementId: fx.agreementId, requalify: false });
    expect(await continueRescore(database.db, run.id)).toMatchObject({ status: 'completed', processedLeads: 50 });
    expect(await ledger()).toBe(ledgerBefore);
    expect(await snapshot()).toEqual(before);
  });

  it('brings a stale snapshot of a lead scored under the revision up to date from its ledger, adding no ledger row', async () => {
    const [lead] = await rows<{ id: string; interest_score: number; fit_score: number }>(database.db, sql`select id, interest_score, fit_score from leads order by id limit 1`);
    // As if the snapshot were taken long ago (interest decayed since) or written wrong.
    await database.db.execute(sql`update leads set interest_score = interest_score + 7, fit_score = fit_score + 3 where id = ${lead!.id}::uuid`);
    const ledgerBefore = (await rows<{ n: number }>(database.db, sql`select count(*)::int as n from score_ledger`))[0]!.n;
    const run = await startRescore(database.db, { agreementId: fx.agreementId, requalify: false });
    expect(await continueRescore(database.db, run.id)).toMatchObject({ status: 'completed' });
    const [after] = await rows<{ interest_score: number; fit_score: number }>(database.db, sql`select interest_score, fit_score from leads where id = ${lead!.id}::uuid`);
    expect(after).toEqual({ interest_score: lead!.interest_score, fit_score: lead!.fit_score });
    expect((await rows<{ n: number }>(database.db, sql`select count(*)::int as n from score_ledger`))[0]!.n).toBe(ledgerBefore);
  });
});
