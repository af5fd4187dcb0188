import { compareCheckpoints, START_CHECKPOINT } from '../core/checkpoint.js';
import { SubscriptionCatchUpTimeoutError } from '../core/errors/subscription-catch-up-timeout.error.js';
import {
  SubscriptionFailedError,
  type SubscriptionFailure,
} from '../core/errors/subscription-failed.error.js';
import type { LogCheckpoint } from '../core/event-store.types.js';
import type { ResolvedSubscriptionOptions } from './subscription.options.js';
import type { SubscriptionRecord } from '../core/subscription-store.js';
import type { Sleeper } from './sleeper.js';

/** What the runner that waits knows by itself, without reading the store. */
export interface CatchUpProbe {
  /** A failure this runner saw (its own, or one it read). */
  failure(): SubscriptionFailure | undefined;
  /**
   * While this runner holds the lease: the checkpoint it last committed (it moves the stored one
   * itself, and wakes `progress` after each batch). Otherwise undefined.
   */
  ownCheckpoint(): { checkpoint: LogCheckpoint | undefined } | undefined;
}

/**
 * Resolves once the stored checkpoint has reached the head of the log as it was when called, so
 * every event committed before the call has been handled; works on any runner, lease holder or
 * not. Rejects with `SubscriptionFailedError` when the subscription fails, and with
 * `SubscriptionCatchUpTimeoutError` after `timeoutMs`.
 */
export async function waitForCatchUp(
  o: ResolvedSubscriptionOptions,
  progress: Sleeper,
  probe: CatchUpProbe,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Every event committed before now is at or before the head; a reader reaches it only once
  // all of them are readable (on PostgreSQL, once the transactions older than the head ended).
  const head = await o.eventStore.headCheckpoint();
  for (;;) {
    const own = probe.ownCheckpoint();
    // The holder's own checkpoint behind the head: no need to ask the store after every batch.
    // Only the store says "caught up" (a reset elsewhere may have moved it back).
    if (!own || compareCheckpoints(own.checkpoint ?? START_CHECKPOINT, head) >= 0) {
      const record = await o.subscriptionStore.load(o.name);
      const failure = probe.failure() ?? storedFailure(record);
      if (failure) throw new SubscriptionFailedError(o.name, failure);
      // A filtered reader moves its checkpoint past the events it skips, so it reaches the head too.
      if (compareCheckpoints(record?.checkpoint ?? START_CHECKPOINT, head) >= 0) return;
    } else {
      const failure = probe.failure();
      if (failure) throw new SubscriptionFailedError(o.name, failure);
    }
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
