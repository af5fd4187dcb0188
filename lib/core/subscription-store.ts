import type { LogCheckpoint } from './event-store.types.js';
import type { TransactionHandle } from './transaction-handle.js';
import type { UnitOfWork } from './unit-of-work.js';

/**
 * What a subscription's owner last did, as stored: `running` while an owner runs it, `stopped`
 * after a graceful stop, `failed` after a batch kept failing (sticky until `start()` runs again).
 */
export type SubscriptionRunState = 'running' | 'stopped' | 'failed';

/** Where a subscription failed: the first event of the batch that kept failing. */
export interface SubscriptionFailurePoint {
  /** `globalPosition` of the event. */
  position: number;
  /** The checkpoint of the event (`readAll` continues right after it). */
  checkpoint: LogCheckpoint;
}

/** One subscription's stored row. */
export interface SubscriptionRecord {
  name: string;
  /** Where the subscription continues from; undefined: from the start of the log. */
  checkpoint: LogCheckpoint | undefined;
  state: SubscriptionRunState;
  /** The projection's own state (JSON), saved with the checkpoint; undefined when none. */
  projectionState: unknown;
  leaseOwner: string | undefined;
  leaseExpiresAt: Date | undefined;
  lastError: string | undefined;
  failedPosition: number | undefined;
  failedCheckpoint: LogCheckpoint | undefined;
  failedAt: Date | undefined;
  updatedAt: Date;
}

/** The owner and checkpoint a runner read from: a write under a fence fails if either changed. */
export interface SubscriptionFence {
  owner: string;
  /** The checkpoint the batch was read after (undefined: from the start). */
  checkpoint: LogCheckpoint | undefined;
}

export interface SaveCheckpointOptions {
  /**
   * The transaction to write in (from this store's `unitOfWork()`; a TypeORM `EntityManager` on a
   * SQL store): the checkpoint commits or rolls back with the read-model writes made in it.
   */
  manager?: TransactionHandle;
  /**
   * The projection's own state (any JSON value) to store with the checkpoint; `null` clears it,
   * undefined keeps what is stored.
   */
  state?: unknown;
  /**
   * Write only if `fence.owner` holds the lease and the stored checkpoint is still
   * `fence.checkpoint`; otherwise throw `SubscriptionFencedError` (and write nothing).
   */
  fence?: SubscriptionFence;
  /**
   * With `fence`: the same write also extends the owner's lease to `leaseTtlMs` from now (by the
   * store's clock), so a batch renews its lease with its checkpoint in one statement. A refused
   * save extends nothing.
   */
  leaseTtlMs?: number;
}

/**
 * Where subscriptions keep their checkpoint, their state and their lease (one active owner per
 * subscription across processes). `InMemorySubscriptionStore` is the reference implementation;
 * `TypeOrmSubscriptionStore` keeps it in a table beside the events.
 */
export abstract class SubscriptionStore {
  /** The stored row, or undefined when the subscription never ran. */
  abstract load(name: string): Promise<SubscriptionRecord | undefined>;

  /** Every stored subscription, by name. */
  abstract list(): Promise<SubscriptionRecord[]>;

  /** Stores the checkpoint (and optionally the projection state), creating the row if needed. */
  abstract saveCheckpoint(
    name: string,
    checkpoint: LogCheckpoint,
    options?: SaveCheckpointOptions,
  ): Promise<void>;

  /**
   * Takes or extends the lease for `ttlMs`, atomically: succeeds when nobody holds it, when `owner`
   * holds it already, or when it has expired (by the store's clock). At most one owner holds a
   * lease at any time.
   */
  abstract tryAcquireLease(name: string, owner: string, ttlMs: number): Promise<boolean>;

  /** Extends a lease `owner` holds; false when it holds it no longer. */
  abstract renewLease(name: string, owner: string, ttlMs: number): Promise<boolean>;

  /** Gives up the lease if `owner` holds it, so another owner can take over at once. */
  abstract releaseLease(name: string, owner: string): Promise<void>;

  /**
   * Starts a batch inside its unit of work: true when `fence.owner` holds an unexpired lease and
   * the stored checkpoint is `fence.checkpoint`; it then extends the lease and, in a database, locks
   * the row until the unit of work ends, so nobody can take the lease while the batch runs and
   * commits.
   */
  abstract claimBatch(
    name: string,
    fence: SubscriptionFence & { ttlMs: number },
    options?: { manager?: TransactionHandle },
  ): Promise<boolean>;

  /** Marks the subscription failed with the error message, where it failed, and when. */
  abstract markFailed(name: string, error: string, at: SubscriptionFailurePoint): Promise<void>;

  /** Sets the run state; `running` also clears the last failure. Creates the row if needed. */
  abstract markState(name: string, state: SubscriptionRunState): Promise<void>;

  /**
   * Moves the checkpoint back to the start of the log and clears the projection state (a rebuild).
   * Stop the subscription first; a runner left running notices the moved checkpoint when it next
   * commits a batch (its commit is refused) and starts over from the beginning.
   */
  abstract reset(name: string): Promise<void>;

  /**
   * How a batch's handler writes and its checkpoint commit together: one database transaction for
   * a database store, "handler, then save" for the in-memory store.
   */
  abstract unitOfWork(): UnitOfWork;
}
