import type { TransactionHandle } from './transaction-handle.js';
/**
 * Metadata stored with every event. `correlationId` ties together everything one request caused,
 * `causationId` names the message (command or event) that directly caused this one.
 */
export interface EventMetadata {
  correlationId?: string;
  causationId?: string;
  [key: string]: unknown;
}

/** An event as given to `appendToStream`: a stable type name and a JSON-serialisable payload. */
export interface NewEvent<TData = unknown> {
  type: string;
  data: TData;
  metadata?: EventMetadata;
  /** A UUID. Given by the caller it makes the append idempotent (a retried append writes nothing). */
  eventId?: string;
}

/** An event as read back from the store. */
export interface StoredEvent<TData = unknown> {
  eventId: string;
  type: string;
  streamId: string;
  /** 1-based position of the event in its stream. */
  version: number;
  /** Position in the global log. Unique and increasing in insert order (not always in commit order). */
  globalPosition: number;
  data: TData;
  metadata: EventMetadata;
  occurredAt: Date;
}

/** An event read from the global log, with the checkpoint that continues right after it. */
export interface LogEvent<TData = unknown> extends StoredEvent<TData> {
  checkpoint: LogCheckpoint;
}

/**
 * An opaque, storable position in the global log. Pass it back as `readAll({ after })`.
 * Its format depends on the store (PostgreSQL orders by transaction id, then position).
 */
export type LogCheckpoint = string;

/** The version a writer expects the stream to be at. */
export type ExpectedVersion = number | 'any' | 'no_stream' | 'stream_exists';

/** How `appendToStream` checks the stream and what it adds to the events. */
export interface AppendOptions {
  /** @default 'any' */
  expectedVersion?: ExpectedVersion;
  /** Metadata merged into each event's own metadata (the event's keys win). */
  metadata?: EventMetadata;
  /**
   * A transaction the append joins (under a savepoint): on a SQL store a TypeORM `EntityManager`,
   * so events and the caller's own writes commit or roll back together; workers are woken once it
   * commits. Ignored by the in-memory store.
   */
  manager?: TransactionHandle;
}

/** What `appendToStream` stored: the events with their versions and positions. */
export interface AppendResult {
  streamId: string;
  /** The stream's version after the append: pass it as `expectedVersion` to the next append. */
  nextExpectedVersion: number;
  events: StoredEvent[];
}

/** The order `readStream` reads a stream in. */
export type ReadDirection = 'forward' | 'backward';

/** Which part of a stream `readStream` reads, and in which order. */
export interface ReadStreamOptions {
  /** First version to read (forward) or the highest version to read (backward). */
  fromVersion?: number;
  maxCount?: number;
  /** @default 'forward' */
  direction?: ReadDirection;
}

/** Where `readAll` starts in the global log, how much it reads, and which events it keeps. */
export interface ReadAllOptions {
  /** Read events after this checkpoint; omit to read from the start. */
  after?: LogCheckpoint;
  /** @default 1000 */
  maxCount?: number;
  /** Only events of these types. */
  types?: readonly string[];
  /** Only events of streams in these categories (`order` for `order-42`). */
  categories?: readonly string[];
}

/** A page of the global log and the checkpoint to read the next page from. */
export interface ReadAllResult {
  events: LogEvent[];
  /** Where to continue from. It moves past filtered-out events too. */
  checkpoint: LogCheckpoint;
  /** True when the read reached the end of what is safe to read now. */
  isEnd: boolean;
}
