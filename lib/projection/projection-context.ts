import type { EntityManager } from 'typeorm';
import type { EventMetadata, NewEvent } from '../core/event-store.types.js';

/** What a projection handler gets besides the event. */
export interface ProjectionContext {
  /**
   * The transaction of this batch (async) or of the append (inline), on a TypeORM store: write the
   * read model through it, and the writes commit with the checkpoint. Undefined on the in-memory store.
   */
  manager?: EntityManager;
  /** The stored envelope of the event. */
  streamId: string;
  version: number;
  globalPosition: number;
  eventId: string;
  metadata: EventMetadata;
  occurredAt: Date;
  /** True while the projection is replaying for a rebuild. */
  isReplaying: boolean;
  /**
   * The copy of the read model to write: `live`, or `next` for the copy a blue/green rebuild
   * builds while the live one keeps serving (see `@ProjectionSwap`).
   */
  target: 'live' | 'next';
  /**
   * The projection's own JSON state, stored with its checkpoint (async projections). Inline
   * projections have none: both methods throw `InlineProjectionStateError` there.
   */
  getState<T>(): T | undefined;
  setState(state: unknown): void;
  /**
   * Appends events to a stream of the projection's own, in the same transaction. Suppressed while
   * replaying (a rebuild emits nothing again), so replays cause no duplicate side effects.
   */
  emit(streamId: string, events: NewEvent[]): Promise<void>;
}
