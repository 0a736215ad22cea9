export interface BackoffOptions {
  /** Delay after the first failed attempt. */
  baseMs: number;
  /** Longest delay between two attempts. */
  maxMs: number;
}

/**
 * Delay before the next attempt after `failedAttempts` failures: base × 2^(n−1), capped, then
 * jittered down by up to 20% so receivers coming back up are not hit by every retry at once.
 */
export function backoffDelay(failedAttempts: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponent = Math.max(0, failedAttempts - 1);
  const capped = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(exponent, 52));
  return Math.max(0, Math.round(capped * (1 - 0.2 * random())));
}
