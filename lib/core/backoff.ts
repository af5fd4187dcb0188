/** Limits of an exponential backoff. */
export interface BackoffLimits {
  /** No wait is longer than this. @default Infinity */
  maxMs?: number;
  /** The wait stops doubling after this many doublings. @default Infinity */
  maxDoublings?: number;
}

/**
 * The one backoff formula of the library: the wait before try `attempt + 1` after `attempt`
 * failures, doubling from `baseMs` (attempt 1 waits `baseMs`, attempt 2 twice that, ...), within
 * `limits`. Used by handler retries (projections, sagas, scheduled messages), the workers' loops
 * after infrastructure errors, the LISTEN connection's reconnects and concurrency retries.
 */
export function backoffDelay(attempt: number, baseMs: number, limits: BackoffLimits = {}): number {
  const doublings = Math.min(Math.max(0, attempt - 1), limits.maxDoublings ?? Infinity);
  return Math.min(limits.maxMs ?? Infinity, baseMs * 2 ** doublings);
}
