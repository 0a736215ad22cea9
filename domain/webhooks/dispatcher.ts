import type { DbOrTx } from '../../db/client';
import { backoffDelay } from './backoff';
import { claimDueDeliveries, postDelivery, recordAttempt, releaseClaims, type ClaimedDelivery, type DeliveryOutcome } from './delivery';
import { fanOutEvents } from './fan-out';

export interface WebhookDispatcherOptions {
  /** Outbox events fanned out, and deliveries claimed, per round. */
  batchSize?: number;
  /** HTTP requests in flight at once per dispatcher. */
  concurrency?: number;
  /** Whole request (connect, send, answer) deadline. */
  timeoutMs?: number;
  /** How long a claimed delivery stays invisible to other workers; must exceed timeoutMs. */
  leaseMs?: number;
  /** Delay after the first failure; doubles with each further failure. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Attempts before a delivery is given up as FAILED (admins can retry it). */
  maxAttempts?: number;
  logger?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}

export const webhookDefaults = {
  batchSize: 50,
  concurrency: 10,
  timeoutMs: 10_000,
  backoffBaseMs: 10_000,
  backoffMaxMs: 3_600_000,
  maxAttempts: 15,
};

export interface DispatchCounts {
  /** Outbox events fanned out. */
  events: number;
  /** Deliveries created by the fan-out. */
  deliveriesCreated: number;
  /** HTTP attempts made. */
  attempted: number;
  delivered: number;
  /** Failed attempts that will be retried. */
  retrying: number;
  /** Deliveries given up for good in this round. */
  failed: number;
}

/**
 * Moves events from the outbox to receivers: fan-out, then delivery of what is due. Several
 * instances (or server processes) can run at once: claims use SKIP LOCKED and leases, so each
 * due delivery goes to one worker at a time. Delivery is at least once, not in order.
 */
export class WebhookDispatcher {
  private readonly options: Required<Omit<WebhookDispatcherOptions, 'logger'>>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<DispatchCounts> | undefined;
  private stopped = true;
  /** Set by stop(): the round in flight ends early (no more fan-out batches, no new requests). */
  private stopping = false;
  private readonly log: WebhookDispatcherOptions['logger'];

  constructor(
    private readonly db: DbOrTx,
    options: WebhookDispatcherOptions = {},
  ) {
    const timeoutMs = options.timeoutMs ?? webhookDefaults.timeoutMs;
    this.options = {
      batchSize: options.batchSize ?? webhookDefaults.batchSize,
      concurrency: options.concurrency ?? webhookDefaults.concurrency,
      timeoutMs,
      leaseMs: options.leaseMs ?? timeoutMs + 30_000,
      backoffBaseMs: options.backoffBaseMs ?? webhookDefaults.backoffBaseMs,
      backoffMaxMs: options.backoffMaxMs ?? webhookDefaults.backoffMaxMs,
      maxAttempts: Math.max(1, options.maxAttempts ?? webhookDefaults.maxAttempts),
    };
    if (this.options.leaseMs <= this.options.timeoutMs) throw new Error('leaseMs must be longer than timeoutMs');
    this.log = options.logger;
  }

  /** One round: fan out new events, then attempt every delivery due now (one batch). */
  async runOnce(): Promise<DispatchCounts> {
    const counts: DispatchCounts = { events: 0, deliveriesCreated: 0, attempted: 0, delivered: 0, retrying: 0, failed: 0 };
    // Bounded, so a steady stream of new events cannot starve the deliveries.
    for (let batch = 0; batch < 20 && !this.stopping; batch++) {
      const fanned = await fanOutEvents(this.db, this.options.batchSize);
      counts.events += fanned.events;
      counts.deliveriesCreated += fanned.deliveries;
      if (fanned.events < this.options.batchSize) break;
    }
    if (this.stopping) return counts;
    const claimed = await claimDueDeliveries(this.db, { limit: this.options.batchSize, leaseMs: this.options.leaseMs });
    let next = 0;
    const worker = async () => {
      // A stop lets the requests under way finish, and starts no more.
      while (next < claimed.length && !this.stopping) {
        const delivery = claimed[next++]!;
        try {
          const outcome = await this.attempt(delivery);
          counts.attempted += 1;
          counts[outcome] += 1;
        } catch (error) {
          // Recording failed (database gone?): the lease runs out and the delivery is tried again.
          this.log?.error({ err: error, deliveryId: delivery.id }, 'could not record a webhook attempt');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, claimed.length) }, worker));
    if (next < claimed.length) {
      await releaseClaims(this.db, claimed.slice(next)).catch((error: unknown) =>
        this.log?.warn({ err: error }, 'could not give back unattempted webhook deliveries; they are due again when their lease runs out'),
      );
    }
    return counts;
  }

  private async attempt(delivery: ClaimedDelivery): Promise<DeliveryOutcome> {
    const result = await postDelivery(delivery, { timeoutMs: this.options.timeoutMs });
    const attempts = delivery.attempts + 1;
    const outcome: DeliveryOutcome = result.ok ? 'delivered' : attempts >= this.options.maxAttempts ? 'failed' : 'retrying';
    const delay = outcome === 'retrying' ? backoffDelay(attempts, { baseMs: this.options.backoffBaseMs, maxMs: this.options.backoffMaxMs }) : 0;
    const applied = await recordAttempt(this.db, delivery, result, outcome, delay);
    if (!applied) this.log?.warn({ deliveryId: delivery.id }, 'webhook delivery lease lost before its result was recorded; it will be attempted again');
    if (outcome === 'failed') {
      this.log?.warn({ deliveryId: delivery.id, subscriptionId: delivery.subscriptionId, error: result.error }, 'webhook delivery failed for good');
    }
    return outcome;
  }

  /** Runs rounds every `intervalMs` (at once again while a round finds a full batch). */
  start(intervalMs: number): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = async () => {
      this.timer = undefined;
      if (this.stopped) return;
      let full = false;
      try {
        this.running = this.runOnce();
        const counts = await this.running;
        full = counts.attempted >= this.options.batchSize;
      } catch (error) {
        this.log?.error({ err: error }, 'webhook dispatch round failed');
      } finally {
        this.running = undefined;
      }
      if (!this.stopped) this.timer = setTimeout(tick, full ? 0 : intervalMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops scheduling rounds and waits for the round in flight (its requests included). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
    // runOnce() called directly afterwards does a whole round again.
    this.stopping = false;
  }
}
