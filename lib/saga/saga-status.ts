import type { LogCheckpoint } from '../core/event-store.types.js';
import type { SubscriptionStatusState } from '../engine/subscription.options.js';
import type { SagaFailure } from '../core/saga-failure-store.js';

/**
 * One saga's state, position, lag, parked events and scheduled messages, from
 * `SagaManager.status()`.
 */
export interface SagaStatus {
  name: string;
  /** `durable`: an RxJS `@DurableSaga`; `event-sourced`: an `@EventSourcedSaga` process manager. */
  kind: 'durable' | 'event-sourced';
  /** Of its subscription (`failed` only on infrastructure errors: saga errors park events). */
  state: SubscriptionStatusState;
  /** The last committed checkpoint (undefined: nothing processed yet). */
  checkpoint: LogCheckpoint | undefined;
  /** Global position of the last committed event, and of the newest event in the store. */
  position: number;
  headPosition: number;
  /** Events between the checkpoint and the head of the log (an estimate on PostgreSQL). */
  lag: number;
  /** Whether this process holds the saga's lease (only the holder processes events). */
  isLeaseOwner: boolean;
  /** The instance holding the saga's lease now, in any process (undefined: nobody). */
  leaseOwner?: string;
  /**
   * How long readers of the log (this saga included) have been held back by a transaction of this
   * database (PostgreSQL) or by the append lock's holder (MySQL/MariaDB); undefined on SQLite and
   * in memory. Nothing is lost, only delayed.
   */
  heldBackMs?: number;
  lastError?: string;
  /** Events the saga gave up on, oldest first: retry them with `SagaManager.retry`. */
  parked: SagaFailure[];
  /** Scheduled messages of this saga still pending. */
  scheduled: number;
  /** The soonest of them (at most `NEXT_SCHEDULED_SHOWN`), with the log head each waits for. */
  nextScheduled: PendingScheduledMessage[];
}

export const NEXT_SCHEDULED_SHOWN = 5;

/** A pending scheduled message as `sagas status` shows it. */
export interface PendingScheduledMessage {
  id: string;
  type: string;
  /** The saga instance (correlation key) that scheduled it. */
  instance: string;
  dueAt: Date;
  /**
   * The head of the log observed after it was due: it is delivered once the saga's checkpoint has
   * reached it. Undefined while it is not due (or the scheduler has not looked at it yet).
   */
  waitsFor: LogCheckpoint | undefined;
}

/** What `SagaManager.retry` did with the parked events. */
export interface SagaRetryResult {
  /** Ids of the parked events that succeeded (and are no longer parked). */
  succeeded: string[];
  /** Those that failed again (still parked, with the new error). */
  failed: { eventId: string; error: string }[];
}
