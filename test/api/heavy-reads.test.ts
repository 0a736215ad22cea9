import { describe, expect, it } from 'vitest';
import { HeavyReadRefused, HeavyReads, HeavyReadTooLarge, periodDays, readCost } from '../../api/heavy-reads';

// The cost control of notebooks, charts and report links, driven with computations the test
// finishes itself: nothing here depends on how fast the machine is.

function gate<T>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

const settings = { concurrency: 1, queue: 2, budgetPerMinute: 0, cacheSeconds: 0 };

describe('the cost of a read', () => {
  it('is one unit per KPI statement per started 31 days, plus one per filter per statement', () => {
    expect(periodDays('2026-01-01', '2026-01-31')).toBe(31);
    expect(periodDays('2026-01-01', '2026-01-01')).toBe(1);
    expect(readCost([{ from: '2026-01-01', to: '2026-01-31', statements: 1 }])).toBe(1);
    expect(readCost([{ from: '2026-01-01', to: '2026-02-01', statements: 1 }])).toBe(2);
    // A year of one chart with a source and an owner filter: 12 months (365 days → 12) + 2.
    expect(readCost([{ from: '2025-01-01', to: '2025-12-31', statements: 1 }], 2)).toBe(14);
    // A notebook: 10 statements over January, 4 over December, 2 over a 6-month trend.
    expect(readCost([
      { from: '2026-01-01', to: '2026-01-31', statements: 10 },
      { from: '2025-12-01', to: '2025-12-31', statements: 4 },
      { from: '2025-08-01', to: '2026-01-31', statements: 2 },
    ])).toBe(10 + 4 + 2 * 6);
  });
});

describe('HeavyReads', () => {
  it('computes one read at a time, queues a bounded number and refuses the rest with a retry time', async () => {
    const reads = new HeavyReads(settings);
    const gates = [gate<string>(), gate<string>(), gate<string>()];
    let started = 0;
    const read = (i: number) =>
      reads.run({ keyId: 'k', cost: 1, cacheKey: `r${i}`, label: `read ${i}`, compute: () => ((started += 1), gates[i]!.promise) });
    const first = read(0);
    const second = read(1);
    const third = read(2);
    await Promise.resolve();
    expect(reads.load).toEqual({ active: 1, pending: 2 });
    expect(started).toBe(1);
    const refused = await read(3).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HeavyReadRefused);
    expect((refused as HeavyReadRefused).extensions).toMatchObject({ code: 'RATE_LIMITED', http: { status: 429 } });
    expect((refused as HeavyReadRefused).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((refused as Error).message).toBe('1 reports are computing and 2 are waiting; try again in a few seconds');
    gates[0]!.open('a');
    expect(await first).toBe('a');
    gates[1]!.open('b');
    gates[2]!.open('c');
    expect(await Promise.all([second, third])).toEqual(['b', 'c']);
    expect(started).toBe(3);
    expect(reads.load).toEqual({ active: 0, pending: 0 });
  });

  it('counts reads arriving in the same tick against the queue, with the budget on (one operation with 20 aliased notebooks)', async () => {
    const reads = new HeavyReads({ ...settings, budgetPerMinute: 1_000 });
    const g = gate<string>();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => {
        const read = reads.run({ keyId: 'k', cost: 1, cacheKey: `same-tick ${i}`, label: `read ${i}`, compute: () => g.promise });
        if (i === 19) queueMicrotask(() => g.open('done'));
        return read;
      }),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    expect(outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof HeavyReadRefused)).toHaveLength(17);
    expect(reads.load).toEqual({ active: 0, pending: 0 });
  });

  it('with no queue, still computes one read when nothing else is', async () => {
    const reads = new HeavyReads({ ...settings, queue: 0 });
    expect(await reads.run({ keyId: 'k', cost: 1, cacheKey: 'q0', label: 'q0', compute: async () => 'ran' })).toBe('ran');
  });

  it('shares one computation between identical reads, and caches it until a write', async () => {
    const reads = new HeavyReads({ ...settings, cacheSeconds: 60 });
    const g = gate<number>();
    let computed = 0;
    const read = () => reads.run({ keyId: 'k', cost: 1, cacheKey: 'same', label: 'same', compute: () => ((computed += 1), g.promise) });
    const all = Array.from({ length: 20 }, read);
    g.open(42);
    expect(await Promise.all(all)).toEqual(Array(20).fill(42));
    expect(computed).toBe(1);
    expect(await read()).toBe(42);
    expect(computed).toBe(1);
    reads.invalidate();
    const fresh = read();
    expect(await fresh).toBe(42);
    expect(computed).toBe(2);
  });

  it('charges a key its budget, other keys their own, and refuses a read larger than the budget outright', async () => {
    const reads = new HeavyReads({ ...settings, budgetPerMinute: 10 });
    const read = (keyId: string, cost: number, cacheKey: string) => reads.run({ keyId, cost, cacheKey, label: 'This chart', compute: async () => cacheKey });
    expect(await read('a', 6, 'x')).toBe('x');
    expect(await read('a', 4, 'y')).toBe('y');
    const spent = await read('a', 1, 'z').catch((error: unknown) => error);
    expect(spent).toBeInstanceOf(HeavyReadRefused);
    expect((spent as Error).message).toMatch(/^This API key has spent its report budget of 10 units a minute \(This chart costs 1\); try again in \d+ s$/);
    expect((spent as HeavyReadRefused).retryAfterSeconds).toBeGreaterThan(0);
    expect((spent as HeavyReadRefused).retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await read('b', 10, 'w')).toBe('w');
    const huge = await read('c', 11, 'v').catch((error: unknown) => error);
    expect(huge).toBeInstanceOf(HeavyReadTooLarge);
    expect((huge as HeavyReadTooLarge).extensions).toMatchObject({ code: 'OPERATION_LIMIT', cost: 11, budgetPerMinute: 10 });
    // Refused before spending: key c still has its whole budget.
    expect(await read('c', 10, 'u')).toBe('u');
  });

  it('does not cache a failure', async () => {
    const reads = new HeavyReads({ ...settings, cacheSeconds: 60 });
    let calls = 0;
    const read = () =>
      reads.run({ keyId: 'k', cost: 1, cacheKey: 'f', label: 'f', compute: async () => { calls += 1; if (calls === 1) throw new Error('boom'); return 'ok'; } });
    await expect(read()).rejects.toThrow('boom');
    expect(await read()).toBe('ok');
    expect(reads.load).toEqual({ active: 0, pending: 0 });
  });
});
