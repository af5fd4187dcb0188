import { AsyncLocalStorage } from 'node:async_hooks';
import { DuplicateEventIdError } from '../errors/duplicate-event-id.error.js';
import { EventStore } from '../event-store.js';
import type {
  AppendOptions,
  AppendResult,
  LogEvent,
  NewEvent,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  StoredEvent,
} from '../event-store.types.js';
import { assertExpectedVersion } from '../expected-version.js';
import { InlineAppendHandlers, type InlineAppendHandler } from '../inline-append-handler.js';
import { isRetriedAppend, prepareAppend, type PreparedAppend } from '../prepared-append.js';
import { InMemorySnapshotStore } from '../snapshot-store.js';
import { assertValidStreamId, streamCategory } from '../stream-id.js';
import { formatCheckpoint, parsePositionCheckpoint } from '../checkpoint.js';
import { selectStreamEvents } from '../read-helpers.js';
import { assertValidReadAllOptions, assertValidReadStreamOptions } from '../read-options.js';

/**
 * The reference implementation: the same rules as the database stores, kept in memory.
 * Meant for tests and prototypes; everything is lost when the process ends.
 */
export class InMemoryEventStore extends EventStore {
  private log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly byId = new Map<string, StoredEvent>();
  private lastPosition = 0;
  private readonly appendedListeners = new Set<() => void>();
  private readonly inline = new InlineAppendHandlers();
  private readonly snapshots = new InMemorySnapshotStore();
  private readonly transaction = new AsyncLocalStorage<MemoryTransaction>();
  private tail: Promise<void> = Promise.resolve();

  /** Calls `listener` after each append that stored events. */
  onAppended(listener: () => void): () => void {
    this.appendedListeners.add(listener);
    return () => this.appendedListeners.delete(listener);
  }

  /** Adds work run inside every append of an event it handles (inline projections). */
  addInlineHandler(handler: InlineAppendHandler): () => void {
    return this.inline.add(handler);
  }

  /** Snapshots that `deleteStream` removes together with the stream. */
  createSnapshotStore(): InMemorySnapshotStore {
    return this.snapshots;
  }

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    const append = prepareAppend(streamId, events, options);
    const open = this.transaction.getStore();
    // An append from inside an inline handler joins the append that runs it (not one that ended).
    if (open && !open.ended) return this.stage(open, append);
    if (append.events.length === 0 || this.inline.isEmpty()) {
      // Synchronous from check to write: nothing can interleave, as in one database statement.
      const tx = new MemoryTransaction();
      const result = this.stage(tx, append);
      this.commit(tx);
      return result;
    }
    // Inline handlers run between the write and the commit: appends queue up, as rows lock.
    const inline = this.inline.matching(append.events.map((e) => e.type));
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise((resolve) => (release = resolve));
    await previous;
    try {
      const tx = new MemoryTransaction();
      try {
        const result = await this.transaction.run(tx, async () => {
          const staged = this.stage(tx, append);
          await InlineAppendHandlers.run(inline, staged.events, {});
          return staged;
        });
        this.commit(tx);
        return result;
      } finally {
        tx.ended = true;
      }
    } finally {
      release();
    }
  }

  /**
   * Checks and stages an append in `tx` (seeing what `tx` staged before it); nothing is visible
   * to readers until `commit(tx)`, and a thrown error leaves nothing behind.
   */
  private stage(tx: MemoryTransaction, append: PreparedAppend): AppendResult {
    const { streamId } = append;
    const current = tx.lastVersion(streamId) ?? this.streams.get(streamId)?.at(-1)?.version ?? 0;
    if (append.events.length === 0) {
      return { streamId, nextExpectedVersion: current, events: [] };
    }
    const already = append.events.flatMap((e) => this.byId.get(e.eventId) ?? tx.byId(e.eventId));
    if (already.length > 0) {
      if (isRetriedAppend(append, already)) {
        return {
          streamId,
          nextExpectedVersion: Math.max(...already.map((e) => e.version)),
          events: [...already].sort((a, b) => a.version - b.version).map(copy),
        };
      }
      throw new DuplicateEventIdError(
        streamId,
        already.map((e) => e.eventId),
      );
    }
    assertExpectedVersion(streamId, append.expectedVersion, current);
    const occurredAt = new Date();
    const stored = append.events.map((event, i): StoredEvent => ({
      eventId: event.eventId,
      type: event.type,
      streamId,
      version: current + i + 1,
      globalPosition: 0,
      data: JSON.parse(event.data) as unknown,
      metadata: JSON.parse(event.metadata) as StoredEvent['metadata'],
      occurredAt,
    }));
    for (const event of stored) event.globalPosition = this.lastPosition + tx.push(event);
    return {
      streamId,
      nextExpectedVersion: current + stored.length,
      events: stored.map(copy),
    };
  }

  private commit(tx: MemoryTransaction): void {
    if (tx.events.length === 0) return;
    for (const event of tx.events) {
      let stream = this.streams.get(event.streamId);
      if (!stream) this.streams.set(event.streamId, (stream = []));
      stream.push(event);
      this.log.push(event);
      this.byId.set(event.eventId, event);
    }
    this.lastPosition += tx.events.length;
    for (const listener of this.appendedListeners) listener();
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    assertValidStreamId(streamId);
    assertValidReadStreamOptions(options);
    return selectStreamEvents(this.streams.get(streamId) ?? [], options).map(copy);
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    assertValidReadAllOptions(options);
    const after = parsePositionCheckpoint(options.after);
    const maxCount = options.maxCount ?? 1000;
    const types = options.types ? new Set(options.types) : undefined;
    const categories = options.categories ? new Set(options.categories) : undefined;
    const events: LogEvent[] = [];
    let scannedTo = after;
    for (const event of this.log) {
      if (event.globalPosition <= after) continue;
      if (events.length === maxCount) {
        return { events, checkpoint: formatCheckpoint(scannedTo), isEnd: false };
      }
      scannedTo = event.globalPosition;
      if (types && !types.has(event.type)) continue;
      if (categories && !categories.has(streamCategory(event.streamId))) continue;
      events.push({ ...copy(event), checkpoint: formatCheckpoint(event.globalPosition) });
    }
    return { events, checkpoint: formatCheckpoint(scannedTo), isEnd: true };
  }

  async headCheckpoint(): Promise<string> {
    return formatCheckpoint(this.log.at(-1)?.globalPosition ?? 0);
  }

  async streamVersion(streamId: string): Promise<number> {
    assertValidStreamId(streamId);
    const stream = this.streams.get(streamId);
    return stream ? stream[stream.length - 1].version : 0;
  }

  async streamExists(streamId: string): Promise<boolean> {
    return (await this.streamVersion(streamId)) > 0;
  }

  /** Deletes the stream's events and its snapshot together. */
  async deleteStream(streamId: string): Promise<void> {
    assertValidStreamId(streamId);
    this.snapshots.delete(streamId);
    const stream = this.streams.get(streamId);
    if (stream) {
      this.streams.delete(streamId);
      for (const event of stream) this.byId.delete(event.eventId);
      this.log = this.log.filter((event) => event.streamId !== streamId);
    }
  }
}

/** Events an append (and the appends of its inline handlers) staged, in log order. */
class MemoryTransaction {
  readonly events: StoredEvent[] = [];
  /** Committed or rolled back: work still running in its async context appends on its own. */
  ended = false;

  /** The version of the stream's last staged event, if this transaction staged any. */
  lastVersion(streamId: string): number | undefined {
    return this.events.findLast((e) => e.streamId === streamId)?.version;
  }

  byId(eventId: string): StoredEvent[] {
    return this.events.filter((e) => e.eventId === eventId);
  }

  /** Stages an event; returns its offset in the transaction (1-based). */
  push(event: StoredEvent): number {
    return this.events.push(event);
  }
}

// Callers get copies, so mutating a read event cannot change the store's history.
function copy(event: StoredEvent): StoredEvent {
  return structuredClone(event);
}
