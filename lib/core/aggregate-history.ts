import type { EventMetadata } from './event-store.types.js';
import type { Snapshot, SnapshotStore } from './snapshot-store.js';

/** A stored event with only what rebuilding an aggregate needs. */
export interface HistoryEvent {
  streamId: string;
  version: number;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

/** How `readHistory` uses snapshots when it reads an aggregate's stream. */
export interface ReadHistoryOptions {
  /** Where the aggregate's snapshots are kept; without it the whole stream is read. */
  snapshots?: SnapshotStore;
  /**
   * The snapshot revision the aggregate can restore. A snapshot of another revision is still
   * returned (so the caller can say why it was ignored), with the events from the stream's start.
   */
  snapshotRevision?: number;
}

/**
 * What an aggregate is rebuilt from: its latest snapshot (if asked for and stored) and the events
 * after it, oldest first: all of them when there is no snapshot of the wanted revision.
 */
export interface AggregateHistory {
  snapshot?: Snapshot;
  events: HistoryEvent[];
}
