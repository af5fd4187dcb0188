import { compareCheckpoints, START_CHECKPOINT } from '../core/checkpoint.js';
import { SubscriptionCatchUpTimeoutError } from '../core/errors/subscription-catch-up-timeout.error.js';
import {
  SubscriptionFailedError,
  type SubscriptionFailure,
} from '../core/errors/subscription-failed.error.js';
import type { ResolvedSubscriptionOptions } from './subscription.options.js';
import type { SubscriptionRecord } from '../core/subscription-store.js';
import type { Sleeper } from './sleeper.js';

/**
 * Resolves once the stored checkpoint has reached the head of the log as it was when called, so
 * every event committed before the call has been handled; works on any runner, lease holder or
 * not. Rejects with `SubscriptionFailedError` when the subscription fails, and with
 * `SubscriptionCatchUpTimeoutError` after `timeoutMs`.
 */
export async function waitForCatchUp(
  o: ResolvedSubscriptionOptions,
  progress: Sleeper,
  localFailure: () => SubscriptionFailure | undefined,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const check = (record: SubscriptionRecord | undefined) => {
    const failure = localFailure() ?? storedFailure(record);
    if (failure) throw new SubscriptionFailedError(o.name, failure);
  };
  // Every event committed before now is at or before the head; a reader reaches it only once
  // all of them are readable (on PostgreSQL, once the transactions older than the head ended).
  const head = await o.eventStore.headCheckpoint();
  for (;;) {
    const record = await o.subscriptionStore.load(o.name);
    check(record);
    // A filtered reader moves its checkpoint past the events it skips, so it reaches the head too.
    if (compareCheckpoints(record?.checkpoint ?? START_CHECKPOINT, head) >= 0) return;
    const left = deadline - Date.now();
    if (left <= 0) throw new SubscriptionCatchUpTimeoutError(o.name, timeoutMs);
    await progress.sleep(Math.min(o.pollIntervalMs, left));
  }
}

export function storedFailure(
  record: SubscriptionRecord | undefined,
): SubscriptionFailure | undefined {
  if (record?.state !== 'failed') return undefined;
  return {
    message: record.lastError ?? 'unknown error',
    position: record.failedPosition,
    checkpoint: record.failedCheckpoint,
    at: record.failedAt,
  };
}
