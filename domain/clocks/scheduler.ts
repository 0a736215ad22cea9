import type { Db } from '../../db/client';
import { retryHeldHandoffs } from '../handoff/handoff';
import { processDueSteps } from '../nurture/nurture';
import { handOverAbsences } from '../people/absences';
import { evaluateClocks } from './sla-clocks';

export interface TickResult {
  breaches: number;
  nurtureSteps: number;
  /** Held hand-offs that could be routed this time. */
  released: number;
  /** Out-of-office periods that began: their reps' due leads went to a backup or routing. */
  absencesHandedOver: number;
}

/**
 * One pass: hand over the due leads of reps whose absence began, breach overdue SLA clocks, emit due
 * nurture steps, retry held hand-offs. Safe to run from several processes.
 */
export async function tick(db: Db, now = new Date(), signal?: AbortSignal): Promise<TickResult> {
  const result: TickResult = { breaches: 0, nurtureSteps: 0, released: 0, absencesHandedOver: 0 };
  // Each step stands alone (the next pass does what this one left): a stop ends the pass between steps.
  if (signal?.aborted) return result;
  result.absencesHandedOver = await handOverAbsences(db, now);
  if (signal?.aborted) return result;
  result.breaches = await evaluateClocks(db, now);
  if (signal?.aborted) return result;
  result.nurtureSteps = await processDueSteps(db, now);
  if (signal?.aborted) return result;
  result.released = (await db.transaction((tx) => retryHeldHandoffs(tx, now))).filter((o) => o.status === 'routed').length;
  return result;
}

/** Runs `tick` every interval inside the server; a slow pass never overlaps the next. */
export class SlaScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly db: Db,
    private readonly onError: (error: unknown) => void = () => {},
    private readonly onTick: (result: TickResult) => void = () => {},
  ) {}

  private stopping = new AbortController();

  start(intervalMs: number): void {
    this.stopping = new AbortController();
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = tick(this.db, new Date(), this.stopping.signal)
        .then(this.onTick, this.onError)
        .finally(() => {
          this.running = undefined;
        });
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.stopping.abort();
    await this.running;
  }
}
