import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
