import type { Logger } from 'pino';

/**
 * Work a request starts but does not wait for (e.g. a re-score run). stop() asks every task to
 * stop at its next safe point (its signal is aborted), then waits for them.
 */
export class BackgroundTasks {
  private readonly running = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(private readonly log?: Logger) {}

  run(name: string, task: (signal: AbortSignal) => Promise<unknown>): void {
    const promise = task(this.stopping.signal)
      .then(() => undefined)
      .catch((error: unknown) => this.log?.error({ err: error, task: name }, 'background task failed'))
      .finally(() => this.running.delete(promise));
    this.running.add(promise);
  }

  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.drain();
  }
}
