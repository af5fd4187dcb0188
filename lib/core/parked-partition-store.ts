import type { LogCheckpoint } from './event-store.types.js';
import type { UnitOfWorkContext } from './unit-of-work.js';

/**
 * A partition key a partitioned projection gave up on: its first failing event, and why. The
 * bucket skips the key's later events until the key is retried.
 */
export interface ParkedPartition {
  projection: string;
  /** The partition key (the stream id for `partitionBy: 'stream'`). */
  key: string;
  /** The bucket that owns the key. */
  partition: number;
  eventId: string;
  eventType: string;
  streamId: string;
  version: number;
  /** Global position and checkpoint of the failing event (a retry reads on from there). */
  position: number;
  checkpoint: LogCheckpoint;
  /** The last error's message. */
  error: string;
  /** Attempts made so far, retries included. */
  attempts: number;
  parkedAt: Date;
  /** Set when an operator asked for a retry the bucket's owner has not made yet. */
  retryRequestedAt?: Date;
}

/** The transaction to write in (a batch's): undefined runs on a connection of its own. */
export type ParkedWriteOptions = Pick<UnitOfWorkContext, 'manager'>;

/**
 * Where partitioned projections park the keys they gave up on: `<prefix>projection_parked` beside
 * the events on a database store, a map in memory. Only the owner of a bucket's lease parks and
 * unparks its keys, inside the bucket's transactions.
 */
export abstract class ParkedPartitionStore {
  /** Stores the parked key, replacing an earlier row of the same projection and key. */
  abstract park(row: ParkedPartition, options?: ParkedWriteOptions): Promise<void>;

  /** Parked keys of one projection (or all), optionally of one bucket, oldest position first. */
  abstract list(projection?: string, partition?: number): Promise<ParkedPartition[]>;

  /** The parked keys of one bucket, read in the given transaction (a batch's). */
  abstract keys(
    projection: string,
    partition: number,
    options?: ParkedWriteOptions,
  ): Promise<string[]>;

  abstract find(projection: string, key: string): Promise<ParkedPartition | undefined>;

  abstract remove(projection: string, key: string, options?: ParkedWriteOptions): Promise<void>;

  /** A retry failed: attempts + 1, the new error, the request cleared. */
  abstract retryFailed(projection: string, key: string, error: string): Promise<void>;

  /** Asks the bucket's owner (in whichever instance) to retry the key; false when not parked. */
  abstract requestRetry(projection: string, key: string): Promise<boolean>;

  /** Forgets the parked keys of a projection (or of one bucket): a reset. */
  abstract clear(projection: string, partition?: number): Promise<void>;
}

/** The reference implementation, in memory. */
export class InMemoryParkedPartitionStore extends ParkedPartitionStore {
  private readonly rows = new Map<string, ParkedPartition>();

  async park(row: ParkedPartition): Promise<void> {
    this.rows.set(keyOf(row.projection, row.key), structuredClone(row));
  }

  async list(projection?: string, partition?: number): Promise<ParkedPartition[]> {
    return [...this.rows.values()]
      .filter((r) => projection === undefined || r.projection === projection)
      .filter((r) => partition === undefined || r.partition === partition)
      .sort((a, b) => a.position - b.position || (a.key < b.key ? -1 : 1))
      .map((r) => structuredClone(r));
  }

  async keys(projection: string, partition: number): Promise<string[]> {
    return (await this.list(projection, partition)).map((r) => r.key);
  }

  async find(projection: string, key: string): Promise<ParkedPartition | undefined> {
    const row = this.rows.get(keyOf(projection, key));
    return row && structuredClone(row);
  }

  async remove(projection: string, key: string): Promise<void> {
    this.rows.delete(keyOf(projection, key));
  }

  async retryFailed(projection: string, key: string, error: string): Promise<void> {
    const row = this.rows.get(keyOf(projection, key));
    if (!row) return;
    row.attempts += 1;
    row.error = error;
    delete row.retryRequestedAt;
  }

  async requestRetry(projection: string, key: string): Promise<boolean> {
    const row = this.rows.get(keyOf(projection, key));
    if (row) row.retryRequestedAt = new Date();
    return row !== undefined;
  }

  async clear(projection: string, partition?: number): Promise<void> {
    for (const [id, row] of this.rows) {
      if (row.projection !== projection) continue;
      if (partition === undefined || row.partition === partition) this.rows.delete(id);
    }
  }
}

function keyOf(projection: string, key: string): string {
  return `${projection}\u0000${key}`;
}
