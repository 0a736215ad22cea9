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
export async function tick(db: Db, now = new Date()): Promise<TickResult> {
  const absencesHandedOver = await handOverAbsences(db, now);
  const breaches = await evaluateClocks(db, now);
  const nurtureSteps = await processDueSteps(db, now);
  const released = (await db.transaction((tx) => retryHeldHandoffs(tx, now))).filter((o) => o.status === 'routed').length;
  return { breaches, nurtureSteps, released, absencesHandedOver };
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

  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = tick(this.db)
        .then(this.onTick, this.onError)
        .finally(() => {
          this.running = undefined;
        });
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
