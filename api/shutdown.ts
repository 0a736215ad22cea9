import { hostname } from 'node:os';
import { Worker } from 'node:worker_threads';

/** Default for SHUTDOWN_TIMEOUT_MS: how long a stop may take, from the signal to the exit. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5_000;

export function shutdownTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.SHUTDOWN_TIMEOUT_MS;
  if (value === undefined || value === '') return DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 100) throw new Error(`SHUTDOWN_TIMEOUT_MS must be an integer of at least 100 (milliseconds), got "${value}"`);
  return parsed;
}

/**
 * The last resort of a stop: a thread of its own that kills the process `ms` from now with a log
 * line (in the server log's JSON format), even when the main thread is stuck in a long synchronous
 * step (PGlite runs its queries on the main thread) and no timer of it can fire. A stop that ends
 * before never sees it: the thread does not keep the process alive.
 */
export function startShutdownWatchdog(ms: number, message: string): void {
  const line = (level: number) => JSON.stringify({ level, time: Date.now(), pid: process.pid, hostname: hostname(), msg: message });
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     const { writeSync } = require('node:fs');
     setTimeout(() => {
       try { writeSync(1, workerData.line.replace(/"time":\\d+/, '"time":' + Date.now()) + '\\n'); } catch {}
       process.kill(workerData.pid, 'SIGKILL');
     }, workerData.ms);`,
    // No loaders (tsx) in this thread: it needs none, and starts at once.
    { eval: true, execArgv: [], workerData: { ms, pid: process.pid, line: line(60) }, stdout: false, stderr: false },
  );
  worker.unref();
}

/** Resolves with true after `ms`, or with false as soon as `work` settles. */
export async function timedOut(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<true>((resolve) => {
    timer = setTimeout(() => resolve(true), Math.max(0, ms));
  });
  try {
    return await Promise.race([work.then(() => false as const, () => false as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
