import { DuplicateEventIdError } from './errors/duplicate-event-id.error.js';
import { EventStore } from './event-store.js';
import type {
  AppendOptions,
  AppendResult,
  LogEvent,
  NewEvent,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  StoredEvent,
} from './event-store.types.js';
import { assertExpectedVersion } from './expected-version.js';
import { isRetriedAppend, prepareAppend } from './prepared-append.js';
import { assertValidStreamId, streamCategory } from './stream-id.js';
import { parsePositionCheckpoint } from './checkpoint.js';
import { selectStreamEvents } from './read-helpers.js';
import { assertValidReadAllOptions, assertValidReadStreamOptions } from './read-options.js';

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

  /** Calls `listener` after each append that stored events. */
  onAppended(listener: () => void): () => void {
    this.appendedListeners.add(listener);
    return () => this.appendedListeners.delete(listener);
  }

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    // Synchronous body: nothing can interleave between the version check and the write.
    const append = prepareAppend(streamId, events, options);
    const stream = this.streams.get(streamId) ?? [];
    const current = stream.length === 0 ? 0 : stream[stream.length - 1].version;
    if (append.events.length === 0) {
      return { streamId, nextExpectedVersion: current, events: [] };
    }
    const already = append.events.flatMap((e) => this.byId.get(e.eventId) ?? []);
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
      globalPosition: ++this.lastPosition,
      data: JSON.parse(event.data) as unknown,
      metadata: JSON.parse(event.metadata) as StoredEvent['metadata'],
      occurredAt,
    }));
    this.streams.set(streamId, [...stream, ...stored]);
    this.log.push(...stored);
    for (const event of stored) this.byId.set(event.eventId, event);
    for (const listener of this.appendedListeners) listener();
    return {
      streamId,
      nextExpectedVersion: current + stored.length,
      events: stored.map(copy),
    };
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
        return { events, checkpoint: String(scannedTo), isEnd: false };
      }
      scannedTo = event.globalPosition;
      if (types && !types.has(event.type)) continue;
      if (categories && !categories.has(streamCategory(event.streamId))) continue;
      events.push({ ...copy(event), checkpoint: String(event.globalPosition) });
    }
    return { events, checkpoint: String(scannedTo), isEnd: true };
  }

  async headCheckpoint(): Promise<string> {
    return String(this.log.at(-1)?.globalPosition ?? 0);
  }

  async streamVersion(streamId: string): Promise<number> {
    assertValidStreamId(streamId);
    const stream = this.streams.get(streamId);
    return stream ? stream[stream.length - 1].version : 0;
  }

  async streamExists(streamId: string): Promise<boolean> {
    return (await this.streamVersion(streamId)) > 0;
  }

  async deleteStream(streamId: string): Promise<void> {
    assertValidStreamId(streamId);
    const stream = this.streams.get(streamId);
    if (stream) {
      this.streams.delete(streamId);
      for (const event of stream) this.byId.delete(event.eventId);
      this.log = this.log.filter((event) => event.streamId !== streamId);
    }
  }
}

// Callers get copies, so mutating a read event cannot change the store's history.
function copy(event: StoredEvent): StoredEvent {
  return structuredClone(event);
}
