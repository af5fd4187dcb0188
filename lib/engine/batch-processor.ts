import type { LogCheckpoint, LogEvent, ReadAllResult } from '../core/event-store.types.js';
import { SubscriptionFencedError } from '../core/errors/subscription-fenced.error.js';
import { SubscriptionTransientError } from '../core/errors/subscription-transient.error.js';
import { errorMessage } from '../core/error-message.js';
import type { ResolvedSubscriptionOptions, SubscriptionContext } from './subscription.options.js';
import type { SubscriptionRecord } from '../core/subscription-store.js';
import type { Sleeper } from './sleeper.js';

export type BatchOutcome =
  /** A batch (or only a checkpoint move past filtered-out events) committed. */
  | { kind: 'committed'; isEnd: boolean }
  /** Nothing new at the end of the log. */
  | { kind: 'idle' }
  /** The lease was lost or the stored checkpoint moved: nothing was kept; take the lease again. */
  | { kind: 'fenced' }
  /** The handler kept failing on this batch. */
  | { kind: 'failed'; failure: BatchFailure }
  /** Stopped while waiting to retry; nothing was kept. */
  | { kind: 'abandoned' };

/** Where and why a batch kept failing (position and checkpoint: the batch's first event). */
export interface BatchFailure {
  message: string;
  position: number;
  checkpoint: LogCheckpoint;
  at: Date;
  /** The event whose handling failed (the batch's first when the handler did not say). */
  event: { type: string; eventId: string; streamId: string; position: number };
  /** The handler error's stack. */
  stack?: string;
}

/** Marks an error thrown by the handler itself, the only kind that counts against `maxAttempts`. */
class HandlerError extends Error {
  constructor(
    readonly original: unknown,
    readonly event: LogEvent | undefined,
  ) {
    super(errorMessage(original));
  }
}

/**
 * Reads the next batch after the committed checkpoint and commits it in one unit of work: claim
 * (fence and lock), handler, then the checkpoint under the fence, which also renews the lease.
 * Retries a failing handler with backoff.
 */
export class BatchProcessor {
  /** The last committed (or loaded) checkpoint; undefined: the start of the log. */
  checkpoint: LogCheckpoint | undefined;
  private projectionState: unknown;
  lastError: string | undefined;

  constructor(
    private readonly o: ResolvedSubscriptionOptions,
    private readonly backoff: Sleeper,
    private readonly stopping: () => boolean,
  ) {}

  /** Continues from what the store holds (after taking the lease). */
  resume(record: SubscriptionRecord | undefined): void {
    this.checkpoint = record?.checkpoint;
    this.projectionState = record?.projectionState;
  }

  /** Errors other than the handler's (reading, claiming, committing) are thrown to the caller. */
  async next(): Promise<BatchOutcome> {
    const page = await this.o.eventStore.readAll({
      after: this.checkpoint,
      maxCount: this.o.batchSize,
      types: this.o.types,
      categories: this.o.categories,
    });
    if (page.events.length === 0 && page.checkpoint === this.checkpoint) return { kind: 'idle' };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.commit(page);
        this.lastError = undefined;
        return { kind: 'committed', isEnd: page.isEnd };
      } catch (error) {
        if (error instanceof SubscriptionFencedError) return { kind: 'fenced' };
        if (!(error instanceof HandlerError)) throw error;
        this.lastError = error.message;
        if (attempt >= this.o.maxAttempts) {
          const first = page.events[0];
          const failed = error.event ?? first;
          return {
            kind: 'failed',
            failure: {
              message: error.message,
              position: first.globalPosition,
              checkpoint: first.checkpoint,
              at: new Date(),
              event: {
                type: failed.type,
                eventId: failed.eventId,
                streamId: failed.streamId,
                position: failed.globalPosition,
              },
              stack: error.original instanceof Error ? error.original.stack : undefined,
            },
          };
        }
        const delay = this.o.backoff(attempt);
        this.o.logger.warn(
          `batch of ${page.events.length} from position ${page.events[0].globalPosition} failed ` +
            `(attempt ${attempt} of ${this.o.maxAttempts}): ${error.message}; retrying in ${delay} ms`,
        );
        await this.backoff.sleep(delay);
        if (this.stopping()) return { kind: 'abandoned' };
      }
    }
  }

  private async commit(page: ReadAllResult): Promise<void> {
    const { subscriptionStore: store, name, owner } = this.o;
    const fence = { owner, checkpoint: this.checkpoint };
    let state = this.projectionState;
    let stateChanged = false;
    await this.o.unitOfWork.run(async ({ manager }) => {
      // The claim locks the subscription row before the handler runs, for the whole batch: a
      // process that stalls past its lease (a long GC pause, a frozen VM) keeps the next owner
      // waiting instead of letting a second batch run beside it. Without that lock the fenced
      // write below would still refuse the stale commit, but side effects outside the
      // transaction (a forwarder's publishes, a saga's commands) could happen twice. It costs one
      // round trip per batch; measured, the catch-up rate did not change without it.
      const claim = { ...fence, ttlMs: this.o.leaseTtlMs };
      if (!(await store.claimBatch(name, claim, { manager }))) {
        throw new SubscriptionFencedError(name, owner);
      }
      if (page.events.length > 0) {
        let current: LogEvent | undefined;
        const ctx: SubscriptionContext = {
          manager,
          subscription: name,
          state,
          setState(next: unknown) {
            state = next;
            stateChanged = true;
          },
          handling(event: LogEvent) {
            current = event;
          },
        };
        try {
          await this.o.handler(page.events, ctx);
        } catch (error) {
          // A transient failure (a broker down) is retried without limit, like a database error.
          if (error instanceof SubscriptionTransientError) throw error;
          throw new HandlerError(error, current);
        }
      }
      await store.saveCheckpoint(name, page.checkpoint, {
        manager,
        fence,
        leaseTtlMs: this.o.leaseTtlMs,
        state: stateChanged ? (state ?? null) : undefined,
      });
    });
    // Only once committed: a rolled-back batch leaves the runner where the store is.
    this.checkpoint = page.checkpoint;
    if (stateChanged) this.projectionState = state;
  }
}
