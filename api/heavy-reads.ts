import { GraphQLError } from 'graphql';
import { LRUCache } from 'lru-cache';
import pLimit, { type LimitFunction } from 'p-limit';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

// Cost control for heavy reads (issue 13): notebooks, KPI charts and report links.
//
// - Each read has a cost in units: one KPI statement over up to 31 days is one unit, a filter adds
//   one per statement. A key may spend `budgetPerMinute` units in each minute (a fixed window);
//   a read costing more than a whole minute's budget is refused outright (OPERATION_LIMIT: shorten
//   the period).
// - At most `concurrency` reads compute at once in this process, `queue` more wait; beyond that the
//   read is refused (RATE_LIMITED with Retry-After) instead of stalling the server.
// - Results are kept `cacheSeconds` (and identical reads computing at the same time share one
//   computation), keyed by everything that shapes the answer, the audience included. A committed
//   write in this process starts a new generation, so nobody reads figures from before their own
//   write; other instances' writes show within cacheSeconds.

export interface HeavyReadSettings {
  /** Reads computing at once in this process. */
  concurrency: number;
  /** Reads waiting for a slot; more are refused. */
  queue: number;
  /** Units a key may spend per minute (0 = no budget). */
  budgetPerMinute: number;
  /** How long a computed report is served again (0 = only shared while computing). */
  cacheSeconds: number;
}

/** A refusal the client should retry later: HTTP 429, Retry-After, code RATE_LIMITED. */
export class HeavyReadRefused extends GraphQLError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, {
      extensions: {
        code: 'RATE_LIMITED',
        retryAfterSeconds,
        http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
      },
    });
  }
}

/** A read larger than a key may ever spend at once: code OPERATION_LIMIT, never worth retrying as is. */
export class HeavyReadTooLarge extends GraphQLError {
  constructor(
    message: string,
    readonly cost: number,
    readonly budget: number,
  ) {
    super(message, { extensions: { code: 'OPERATION_LIMIT', cost, budgetPerMinute: budget } });
  }
}

const DAY_MS = 86_400_000;

/** Inclusive days between two ISO dates. */
export function periodDays(from: string, to: string): number {
  return Math.max(1, Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1);
}

/** Units of `statements` KPI statements over one period with `filters` filters. */
export function readCost(windows: { from: string; to: string; statements: number }[], filters = 0): number {
  return windows.reduce((sum, w) => sum + w.statements * (Math.ceil(periodDays(w.from, w.to) / 31) + filters), 0);
}

export interface HeavyRead<T> {
  /** The key that pays (for report links: the key that made the link). */
  keyId: string;
  cost: number;
  /** Everything that shapes the answer, the audience included. */
  cacheKey: string;
  /** What is being read, for messages (e.g. "the monthly review"). */
  label: string;
  compute: () => Promise<T>;
}

export class HeavyReads {
  private readonly limit: LimitFunction;
  private readonly budget?: RateLimiterMemory;
  private readonly cache?: LRUCache<string, { value: unknown }>;
  private readonly computing = new Map<string, Promise<unknown>>();
  private generation = 0;
  /** Reads holding a place: computing, waiting for a slot, or being charged. */
  private admitted = 0;
  /** Recent compute times (ms), for the Retry-After estimate. */
  private averageMs = 1_000;

  constructor(readonly settings: HeavyReadSettings) {
    this.limit = pLimit(Math.max(1, settings.concurrency));
    if (settings.budgetPerMinute > 0) this.budget = new RateLimiterMemory({ points: settings.budgetPerMinute, duration: 60 });
    // Bounded by entries and by size (a long notebook's cells are a few hundred kB).
    if (settings.cacheSeconds > 0) {
      this.cache = new LRUCache({ max: 200, maxSize: 64 * 1024 * 1024, sizeCalculation: (entry) => Math.max(1, JSON.stringify(entry.value)?.length ?? 1), ttl: settings.cacheSeconds * 1000 });
    }
  }

  /** A write committed in this process: reads from now on compute afresh. */
  invalidate(): void {
    this.generation += 1;
    this.cache?.clear();
  }

  /** Reads computing and waiting right now. */
  get load(): { active: number; pending: number } {
    return { active: this.limit.activeCount, pending: this.admitted - this.limit.activeCount };
  }

  /** Refuses a read larger than a whole minute's budget (it could never run). */
  assertAffordable(cost: number, label: string): void {
    const { budgetPerMinute } = this.settings;
    if (this.budget && cost > budgetPerMinute) {
      throw new HeavyReadTooLarge(
        `${label} costs ${cost} units, more than the ${budgetPerMinute} a key may spend in a minute: shorten the period (one unit is one KPI query over up to 31 days, plus one per filter; REPORT_BUDGET_PER_MINUTE sets the budget)`,
        cost,
        budgetPerMinute,
      );
    }
  }

  async run<T>(read: HeavyRead<T>): Promise<T> {
    const key = `${this.generation}\u0000${read.cacheKey}`;
    const cached = this.cache?.get(key);
    if (cached) return cached.value as T;
    const shared = this.computing.get(key);
    if (shared) return shared as Promise<T>;

    this.assertAffordable(read.cost, read.label);
    const { budgetPerMinute, concurrency, queue } = this.settings;
    // The place is taken before anything is awaited: reads arriving in the same tick (20 aliased
    // notebook fields of one operation) count against the queue like reads arriving apart.
    if (this.admitted >= Math.max(1, concurrency) + queue) {
      throw new HeavyReadRefused(
        `${this.limit.activeCount} reports are computing and ${this.admitted - this.limit.activeCount} are waiting; try again in a few seconds`,
        this.retryAfter(),
      );
    }
    this.admitted += 1;
    try {
      if (this.budget) {
        try {
          await this.budget.consume(read.keyId, read.cost);
        } catch (refusal) {
          if (!(refusal instanceof RateLimiterRes)) throw refusal;
          const retryAfter = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
          throw new HeavyReadRefused(
            `This API key has spent its report budget of ${budgetPerMinute} units a minute (${read.label} costs ${read.cost}); try again in ${retryAfter} s`,
            retryAfter,
          );
        }
      }
      // Joined while this read waited for its budget: share the computation after all.
      const joined = this.computing.get(key);
      if (joined) return (await joined) as T;

      const computation = this.limit(async () => {
        const started = performance.now();
        try {
          return await read.compute();
        } finally {
          this.averageMs = this.averageMs * 0.7 + (performance.now() - started) * 0.3;
        }
      });
      this.computing.set(key, computation);
      try {
        const value = await computation;
        if (key.startsWith(`${this.generation}\u0000`)) this.cache?.set(key, { value });
        return value;
      } finally {
        this.computing.delete(key);
      }
    } finally {
      this.admitted -= 1;
    }
  }

  private retryAfter(): number {
    const waiting = this.admitted;
    return Math.max(1, Math.ceil((waiting * this.averageMs) / Math.max(1, this.settings.concurrency) / 1000));
  }
}
