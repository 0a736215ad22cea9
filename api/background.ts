import type { Logger } from 'pino';

/** Work a request starts but does not wait for (e.g. a re-score run); stop() waits for it. */
export class BackgroundTasks {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly log?: Logger) {}

  run(name: string, task: () => Promise<unknown>): void {
    const promise = task()
      .then(() => undefined)
      .catch((error: unknown) => this.log?.error({ err: error, task: name }, 'background task failed'))
      .finally(() => this.running.delete(promise));
    this.running.add(promise);
  }

  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
