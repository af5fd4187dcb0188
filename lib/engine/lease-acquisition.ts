import { errorMessage } from '../core/error-message.js';
import type { SubscriptionFailure } from '../core/errors/subscription-failed.error.js';
import type { SubscriptionRecord } from '../core/subscription-store.js';
import { storedFailure } from './catch-up.js';
import type { BatchFailure } from './batch-processor.js';
import type { LeaseKeeper } from './lease-keeper.js';
import type { ResolvedSubscriptionOptions } from './subscription.options.js';

/** What an attempt to take a subscription's lease found. */
export type LeaseAttempt =
  /** Taken: continue from this stored row (undefined: the subscription never ran). */
  | { kind: 'taken'; record: SubscriptionRecord | undefined }
  /**
   * The subscription failed (in another runner): it waits for `start()`. `holding`: the lease was
   * taken before the failure was seen; the runner gives it back.
   */
  | { kind: 'failed'; failure: SubscriptionFailure; holding: boolean }
  /** Another owner holds it, or this instance holds its share of the application's workers. */
  | { kind: 'busy' };

/**
 * How a subscription's runner takes its lease, and hands it over between batches (within its
 * instance's share of an application's workers, when a balancer shares them out) or after a
 * failure. It leaves the runner's own state (checkpoint, failure) to the runner, which applies what
 * each attempt found.
 */
export class LeaseAcquisition {
  /** The other owner this runner last said it waits for (said once per holder). */
  private waitingFor: string | undefined;

  constructor(
    private readonly o: ResolvedSubscriptionOptions,
    private readonly lease: LeaseKeeper,
  ) {}

  /** Takes the lease unless this instance already holds its share of an application's workers. */
  async withinShare(): Promise<LeaseAttempt> {
    const balancer = this.o.balancer;
    if (!balancer) return this.take();
    if (!balancer.reserve()) return { kind: 'busy' };
    try {
      return await this.take();
    } finally {
      balancer.unreserve();
    }
  }

  /** Between batches: an instance over its share (another one joined) hands this lease over. */
  async yieldIfOverShare(): Promise<void> {
    if (!this.lease.held || !this.o.balancer?.shouldYield()) return;
    this.o.logger.log(
      `handing the lease over: instance "${this.o.owner}" holds more than its share ` +
        `(${this.o.balancer.share()})`,
    );
    await this.lease.release();
  }

  /**
   * After a batch kept failing: says so, records the failure in the store and gives the lease up,
   * in that order, so no standby retries the batch in between. A failure it cannot record is
   * logged, and the lease left to expire.
   */
  async handOverAfter(failure: BatchFailure): Promise<void> {
    const e = failure.event;
    this.o.logger.error(
      `failed on event ${e.eventId} (${e.type}, stream ${e.streamId}, position ${e.position}) ` +
        `after ${this.o.maxAttempts} attempts: ${failure.message}; fix it, then start() the ` +
        `subscription again`,
      failure.stack,
    );
    try {
      await this.o.subscriptionStore.markFailed(this.o.name, failure.message, {
        position: failure.position,
        checkpoint: failure.checkpoint,
      });
      await this.lease.release();
    } catch (error) {
      this.o.logger.error(`could not record the failure: ${errorMessage(error)}`);
      this.lease.drop();
    }
  }

  /** Takes the lease and reads the stored row, unless the subscription failed. */
  private async take(): Promise<LeaseAttempt> {
    const store = this.o.subscriptionStore;
    // A failed subscription stays failed until someone start()s it: look before taking the lease.
    const before = await store.load(this.o.name);
    const failed = storedFailure(before);
    if (failed) return { kind: 'failed', failure: failed, holding: false };
    if (!(await this.lease.acquire())) {
      this.sayWaiting(before);
      return { kind: 'busy' };
    }
    this.waitingFor = undefined;
    let record: SubscriptionRecord | undefined;
    try {
      record = await store.load(this.o.name);
    } catch (error) {
      this.lease.drop(); // take it again (and load again) on the next turn
      throw error;
    }
    const failure = storedFailure(record);
    // Another runner failed it: leave its batch alone until someone start()s it again.
    if (failure) return { kind: 'failed', failure, holding: true };
    return { kind: 'taken', record };
  }

  /** Once per holder: this runner stands by because another owner holds the lease. */
  private sayWaiting(record: SubscriptionRecord | undefined): void {
    const holder = record?.leaseOwner ?? 'another runner';
    if (holder === this.waitingFor) return;
    this.waitingFor = holder;
    const until = record?.leaseExpiresAt
      ? ` (lease until ${record.leaseExpiresAt.toISOString()})`
      : '';
    this.o.logger.log(
      `waiting for the lease held by "${holder}"${until}; "${this.o.owner}" stands by and takes ` +
        `over if it is released or expires`,
    );
  }
}
