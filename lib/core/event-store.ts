import type { AggregateHistory, ReadHistoryOptions } from './aggregate-history.js';
import type {
  AppendOptions,
  AppendResult,
  LogCheckpoint,
  NewEvent,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  StoredEvent,
} from './event-store.types.js';

/**
 * The event store contract, and the Nest injection token for the configured store.
 *
 * Rules every implementation keeps (tested by one contract suite against each store):
 * - an append is atomic, and versions in a stream are 1..n with no gaps;
 * - of two writers with the same expected version exactly one wins, the other gets `ConcurrencyError`;
 * - `readAll` never skips a committed event and never returns one twice.
 */
export abstract class EventStore {
  /**
   * Appends events to a stream. An empty list writes nothing, checks nothing and returns the
   * stream's current version.
   */
  abstract appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult>;

  /** Reads a stream's events. A stream that does not exist reads as empty. */
  abstract readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;

  /** Reads the global log in a stable order, in pages. */
  abstract readAll(options?: ReadAllOptions): Promise<ReadAllResult>;

  /**
   * The checkpoint of the newest committed event (where a reader starts when the log is empty). A
   * reader whose checkpoint has reached it has seen every event committed before the call, even on
   * PostgreSQL where `readAll` may hold back the newest events until older transactions end.
   */
  abstract headCheckpoint(): Promise<LogCheckpoint>;

  /** The stream's version: the version of its last event, 0 when it does not exist. */
  abstract streamVersion(streamId: string): Promise<number>;

  abstract streamExists(streamId: string): Promise<boolean>;

  /**
   * Removes a stream, its events and its snapshot for good, in one transaction (for example to
   * honour an erasure request). Read models built from them keep what they derived. The stream id
   * can be used again and starts at version 1.
   */
  abstract deleteStream(streamId: string): Promise<void>;

  /**
   * The latest snapshot of a stream (with `options.snapshots`) and its events after it, with only
   * what rebuilding an aggregate needs: `AggregateRepository.load` reads through this. Stores that
   * keep snapshots beside the events override it to read both in one round trip.
   */
  async readHistory(streamId: string, options: ReadHistoryOptions = {}): Promise<AggregateHistory> {
    const snapshot = await options.snapshots?.load(streamId);
    const usable = snapshot !== undefined && snapshot.revision === options.snapshotRevision;
    const stored = await this.readStream(streamId, {
      fromVersion: usable ? snapshot.version + 1 : 1,
    });
    return {
      snapshot,
      events: stored.map(({ version, type, data, metadata }) => ({
        streamId,
        version,
        type,
        data,
        metadata,
      })),
    };
  }
}
