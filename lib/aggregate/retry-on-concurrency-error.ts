import { setTimeout as sleep } from 'node:timers/promises';
import { ConcurrencyError } from '../core/errors/concurrency.error.js';
import { backoffDelay } from '../core/backoff.js';

/** The options of `retryOnConcurrencyError`. */
export interface RetryOptions {
  /** Attempts in all, the first included. @default 3 */
  attempts?: number;
  /** Pause before the second attempt, doubled each time, with jitter. @default 10 */
  backoffMs?: number;
}

/**
 * Runs `work` (which loads an aggregate, changes it and saves it) again when another writer got
 * there first. Only `ConcurrencyError` is retried; the last one is rethrown. Opt-in: a command
 * that must not be applied to a state its sender did not see should not be retried.
 *
 * @example return retryOnConcurrencyError(async () => { const a = await repo.load(id); a.deposit(5); await repo.save(a); });
 */
export async function retryOnConcurrencyError<T>(
  work: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 3;
  const backoff = options.backoffMs ?? 10;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= attempts) throw error;
      await sleep(backoffDelay(attempt, backoff) * (0.5 + Math.random()));
    }
  }
}
