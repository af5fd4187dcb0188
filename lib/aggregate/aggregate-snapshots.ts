import type { Logger } from '@nestjs/common';
import type { Snapshot, SnapshotStore } from '../core/snapshot-store.js';
import type { TransactionHandle } from '../core/transaction-handle.js';
import type { AggregateMetadata } from './aggregate.decorator.js';
import type { EventSourcedAggregate } from './event-sourced-aggregate.js';

/**
 * The snapshots of one aggregate class: restored when loading (a snapshot of another revision, or
 * one that fails to restore, is ignored and the aggregate is rebuilt from its events) and taken
 * after a save (a failure only makes loading slower, so it is logged, not thrown).
 */
export class AggregateSnapshots<T extends EventSourcedAggregate> {
  constructor(
    private readonly create: (id: string) => T,
    private readonly metadata: AggregateMetadata,
    private readonly snapshots: SnapshotStore,
    private readonly logger: Logger,
  ) {}

  /** A fresh aggregate with the latest usable snapshot restored, and the version it covers. */
  restore(
    id: string,
    streamId: string,
    snapshot: Snapshot | undefined,
  ): { aggregate: T; from: number } {
    const fresh = { aggregate: this.create(id), from: 0 };
    if (!snapshot) return fresh;
    if (snapshot.revision !== this.metadata.snapshotRevision) {
      this.logger.warn(
        `Ignoring snapshot of ${streamId} at revision ${snapshot.revision} (current ${this.metadata.snapshotRevision}); rebuilding from events`,
      );
      return fresh;
    }
    const aggregate = this.create(id);
    try {
      aggregate.restoreSnapshot(snapshot.state, snapshot.version);
      return { aggregate, from: snapshot.version };
    } catch (error) {
      this.logger.warn(
        `Ignoring snapshot of ${streamId} that failed to restore (${(error as Error).message}); rebuilding from events`,
      );
      return fresh;
    }
  }

  async take(
    aggregate: T,
    streamId: string,
    version: number,
    manager: TransactionHandle | undefined,
  ): Promise<void> {
    const snapshot = {
      streamId,
      version,
      revision: this.metadata.snapshotRevision,
      state: aggregate.toSnapshot(),
    };
    try {
      await this.snapshots.save(snapshot, manager);
    } catch (error) {
      // A missing snapshot only makes loading slower; the save itself has succeeded.
      this.logger.warn(`Could not snapshot ${streamId} at ${version}: ${(error as Error).message}`);
    }
  }
}
