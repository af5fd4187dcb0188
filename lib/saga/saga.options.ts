import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import {
  DEFAULT_BACKOFF_MS,
  DEFAULT_BATCH_SIZE,
  DEFAULT_LEASE_TTL_MS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_POLL_INTERVAL_MS,
} from '../core/defaults.js';
import { MAX_PAGE_SIZE } from '../core/limits.js';

/** How a saga reads the log and what it does with an event that keeps failing. */
export interface SagaOptions {
  /** Events read per batch. @default 100 */
  batchSize?: number;
  /**
   * Attempts per event (its pipe or handler and the commands it sends) before the event is parked
   * as failed and the saga goes on with the next one. @default 5
   */
  maxAttempts?: number;
  /** Wait before the second attempt of an event, doubled after each attempt. @default 100 */
  backoffMs?: number;
  /** How often an idle runner looks for new events (and for a free lease). @default 250 */
  pollIntervalMs?: number;
  /**
   * How long the runner's lease lasts without renewal; another process takes over this long after
   * the owner died. @default 10000
   */
  leaseTtlMs?: number;
}

export type ResolvedSagaOptions = Required<SagaOptions>;

export function resolveSagaOptions(where: string, options: SagaOptions): ResolvedSagaOptions {
  return {
    batchSize: whole(where, 'batchSize', options.batchSize ?? DEFAULT_BATCH_SIZE, 1, MAX_PAGE_SIZE),
    maxAttempts: whole(where, 'maxAttempts', options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, 1),
    backoffMs: whole(where, 'backoffMs', options.backoffMs ?? DEFAULT_BACKOFF_MS, 0),
    pollIntervalMs: whole(
      where,
      'pollIntervalMs',
      options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
      1,
    ),
    leaseTtlMs: whole(where, 'leaseTtlMs', options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS, 3),
  };
}

function whole(where: string, option: string, value: unknown, min: number, max?: number): number {
  if (
    typeof value !== 'number' ||
    !Number.isSafeInteger(value) ||
    value < min ||
    (max !== undefined && value > max)
  ) {
    throw new InvalidOptionsError(
      `${where} ${option}`,
      `must be a whole number of at least ${min}${max === undefined ? '' : ` and at most ${max}`} (got ${String(value)})`,
    );
  }
  return value;
}
