import type { TransactionHandle } from './transaction-handle.js';
/** The saved state of an aggregate at a version, so loading reads only the events after it. */
export interface Snapshot {
  streamId: string;
  /** The stream version the state includes. */
  version: number;
  /** The aggregate's snapshot revision; a snapshot of another revision is ignored. */
  revision: number;
  /** JSON-serialisable state. */
  state: unknown;
}

/** Where snapshots live: beside the events, in a table of their own. */
export abstract class SnapshotStore {
  abstract load(streamId: string): Promise<Snapshot | undefined>;
  /**
   * Saves a snapshot unless a newer one is already stored. With a `manager` (a TypeORM
   * `EntityManager` on a SQL store) it joins that transaction, so a rolled-back save leaves no
   * snapshot ahead of the stream.
   */
  abstract save(snapshot: Snapshot, manager?: TransactionHandle): Promise<void>;
}

/**
 * Snapshots in memory: the reference implementation, used with the in-memory store and in tests.
 */
export class InMemorySnapshotStore extends SnapshotStore {
  private readonly snapshots = new Map<string, Snapshot>();

  async load(streamId: string): Promise<Snapshot | undefined> {
    const snapshot = this.snapshots.get(streamId);
    return snapshot && structuredClone(snapshot);
  }

  async save(snapshot: Snapshot): Promise<void> {
    const current = this.snapshots.get(snapshot.streamId);
    if (!current || current.version <= snapshot.version) {
      this.snapshots.set(snapshot.streamId, JSON.parse(JSON.stringify(snapshot)) as Snapshot);
    }
  }

  /** Removes a stream's snapshot (the in-memory event store's `deleteStream` calls it). */
  delete(streamId: string): void {
    this.snapshots.delete(streamId);
  }
}
