import { BatchProcessor, type BatchFailure } from './batch-processor.js';
import { DEFAULT_CATCH_UP_TIMEOUT_MS } from '../core/defaults.js';
import { errorMessage } from '../core/error-message.js';
import { waitForCatchUp } from './catch-up.js';
import type { SubscriptionFailure } from '../core/errors/subscription-failed.error.js';
import { LeaseAcquisition } from './lease-acquisition.js';
import { LeaseKeeper } from './lease-keeper.js';
import { Sleeper } from './sleeper.js';
import {
  resolveSubscriptionOptions,
  type ResolvedSubscriptionOptions,
  type StopOptions,
  type SubscriptionOptions,
  type SubscriptionStatus,
  type WaitForCatchUpOptions,
} from './subscription.options.js';
import { backoffDelay } from '../core/backoff.js';

/** Longest wait between attempts after infrastructure errors (database down, ...). */
const MAX_ERROR_DELAY_MS = 30_000;

/**
 * A checkpointed reader of the global event log: it hands the events after its checkpoint to a
 * handler in batches, and commits each batch's writes with the new checkpoint in one unit of work,
 * so after a crash no event is lost or handled twice. Only the holder of the subscription's lease
 * processes; other runners of the same name stand by and take over when the lease expires.
 *
 * ```ts
 * const subscription = new Subscription({ name: 'order_summary', eventStore, subscriptionStore,
 *   handler: async (events, { manager }) => { ... } });
 * await subscription.start();
 * ```
 */
export class Subscription {
  readonly name: string;
  readonly owner: string;
  private readonly o: ResolvedSubscriptionOptions;
  private readonly lease: LeaseKeeper;
  private readonly acquisition: LeaseAcquisition;
  private readonly batches: BatchProcessor;
  private readonly wakeup = new Sleeper();
  private readonly backoff = new Sleeper();
  private readonly progress = new Sleeper();
  private phase: 'stopped' | 'running' = 'stopped';
  private stopping = false;
  private caughtUp = false;
  private failure: SubscriptionFailure | undefined;
  private loop: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;

  constructor(options: SubscriptionOptions) {
    this.o = resolveSubscriptionOptions(options);
    this.name = this.o.name;
    this.owner = this.o.owner;
    this.lease = new LeaseKeeper(
      this.o.subscriptionStore,
      this.name,
      this.owner,
      this.o.leaseTtlMs,
      this.o.logger,
    );
    this.acquisition = new LeaseAcquisition(this.o, this.lease);
    this.batches = new BatchProcessor(this.o, this.backoff, () => this.stopping);
    this.o.balancer?.register(this.name, () => this.lease.held);
  }

  /**
   * Starts processing in the background (or standing by for the lease). Marks the subscription
   * `running` in the store, which clears a failure: after a fix it resumes from its last committed
   * checkpoint. Does nothing when already running.
   */
  async start(): Promise<void> {
    if (this.stopped) await this.stopped;
    if (this.phase === 'running') {
      // Standing by, it saw another runner's failure in the store: clear it, and its loop resumes.
      if (this.failure) await this.o.subscriptionStore.markState(this.name, 'running');
      this.failure = undefined;
      return;
    }
    const previous = this.phase;
    this.phase = 'running';
    try {
      await this.loop; // a loop that has just failed finishes recording it
      await this.o.subscriptionStore.markState(this.name, 'running');
    } catch (error) {
      this.phase = previous;
      throw error;
    }
    this.failure = undefined;
    this.stopping = false;
    this.caughtUp = false;
    this.loop = this.run();
  }

  /**
   * Stops after the batch in progress commits (a batch waiting for a retry is abandoned; nothing
   * past the last commit is kept), then gives the lease up unless `releaseLease` is false.
   */
  async stop(options: StopOptions = {}): Promise<void> {
    if (!this.stopped) {
      this.stopped = this.shutDown(options.releaseLease ?? true).finally(() => {
        this.stopped = undefined;
      });
    }
    await this.stopped;
  }

  /** Looks for new events now instead of at the next poll (call it after an append commits). */
  wake(): void {
    this.wakeup.wake();
  }

  status(): SubscriptionStatus {
    const failure = this.failure;
    const state = failure
      ? 'failed'
      : this.phase === 'stopped'
        ? 'stopped'
        : this.lease.held && !this.caughtUp
          ? 'catching-up'
          : 'running';
    return {
      name: this.name,
      state,
      checkpoint: this.batches.checkpoint,
      owner: this.owner,
      isLeaseOwner: this.lease.held,
      lastError: failure?.message ?? this.batches.lastError,
      failure,
    };
  }

  /**
   * Resolves when the subscription (whichever runner holds its lease) has committed everything up
   * to the end of the log as of this call. Rejects with `SubscriptionFailedError` when it fails and
   * with `SubscriptionCatchUpTimeoutError` after `timeoutMs`.
   */
  async waitForCatchUp(options: WaitForCatchUpOptions = {}): Promise<void> {
    this.wake();
    const probe = {
      failure: () => this.failure,
      ownCheckpoint: () => (this.lease.held ? { checkpoint: this.batches.checkpoint } : undefined),
    };
    await waitForCatchUp(
      this.o,
      this.progress,
      probe,
      options.timeoutMs ?? DEFAULT_CATCH_UP_TIMEOUT_MS,
    );
  }

  private async run(): Promise<void> {
    let errors = 0;
    while (!this.stopping) {
      try {
        if (!this.lease.held && !(await this.takeLease())) {
          await this.wakeup.sleep(this.o.pollIntervalMs);
          continue;
        }
        const outcome = await this.batches.next();
        errors = 0;
        if (outcome.kind === 'committed') {
          this.caughtUp = outcome.isEnd;
          this.progress.wake();
          await this.acquisition.yieldIfOverShare();
        } else if (outcome.kind === 'idle') {
          this.caughtUp = true;
          await this.acquisition.yieldIfOverShare();
          await this.wakeup.sleep(this.o.pollIntervalMs);
        } else if (outcome.kind === 'fenced') {
          this.o.logger.log('lease lost or checkpoint moved; taking the lease again');
          this.lease.drop();
        } else if (outcome.kind === 'failed') {
          // From here on it stands by like any other runner: when the failure is cleared (start()
          // here, or in another process such as the operator CLI) it takes the lease and resumes.
          await this.fail(outcome.failure);
          await this.wakeup.sleep(this.o.pollIntervalMs);
        } else {
          return;
        }
      } catch (error) {
        errors++;
        const delay = backoffDelay(errors + 1, this.o.pollIntervalMs, {
          maxMs: MAX_ERROR_DELAY_MS,
          maxDoublings: 7,
        });
        this.batches.lastError = errorMessage(error);
        this.o.logger.warn(`${errorMessage(error)}; trying again in ${delay} ms`);
        await this.backoff.sleep(delay);
      }
    }
  }

  /** Takes the lease and continues from the stored checkpoint, unless the subscription failed. */
  private async takeLease(): Promise<boolean> {
    const attempt = await this.acquisition.withinShare();
    if (attempt.kind === 'failed') {
      this.failure = attempt.failure;
      if (attempt.holding) await this.lease.release();
      this.progress.wake();
      return false;
    }
    if (attempt.kind === 'busy') return false;
    const record = attempt.record;
    this.failure = undefined;
    this.caughtUp = false;
    this.batches.resume(record);
    if (record?.state !== 'running') {
      await this.o.subscriptionStore.markState(this.name, 'running');
    }
    return true;
  }

  private async fail(failure: BatchFailure): Promise<void> {
    await this.acquisition.handOverAfter(failure);
    this.failure = failure;
    this.progress.wake();
  }

  private async shutDown(releaseLease: boolean): Promise<void> {
    this.stopping = true;
    this.wakeup.wake();
    this.backoff.wake();
    await this.loop;
    this.loop = undefined;
    if (!releaseLease) {
      this.lease.drop();
    } else if (this.lease.held) {
      try {
        if (this.phase === 'running') {
          await this.o.subscriptionStore.markState(this.name, 'stopped');
        }
      } finally {
        await this.lease.release();
      }
    }
    if (this.phase === 'running') this.phase = 'stopped';
    this.caughtUp = false;
    this.progress.wake();
  }
}

/** Whether the worker holds the lease and follows the log (not stopped, failed or standing by). */
export function isReading(worker: Subscription): boolean {
  const { state, isLeaseOwner } = worker.status();
  return isLeaseOwner && (state === 'running' || state === 'catching-up');
}
