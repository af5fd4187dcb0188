import type { LogCheckpoint } from './event-store.types.js';

/** An event a saga gave up on after its attempts: parked until retried. */
export interface SagaFailure {
  saga: string;
  eventId: string;
  eventType: string;
  streamId: string;
  /** The event's version in its stream (where `retry` reads it back). */
  version: number;
  /** Its global position and checkpoint in the log. */
  position: number;
  checkpoint: LogCheckpoint;
  /** The last error's message. */
  error: string;
  /** Attempts made so far, retries included. */
  attempts: number;
  failedAt: Date;
}

/**
 * Where sagas park the events they gave up on: `<prefix>saga_failures` beside the events on a
 * database store, a map with the in-memory store.
 */
export abstract class SagaFailureStore {
  /** Stores the failure, replacing an earlier one of the same saga and event. */
  abstract park(failure: SagaFailure): Promise<void>;

  /** The parked failures of one saga (or of all), oldest position first. */
  abstract list(saga?: string): Promise<SagaFailure[]>;

  abstract remove(saga: string, eventId: string): Promise<void>;
}

/** The reference implementation, in memory. */
export class InMemorySagaFailureStore extends SagaFailureStore {
  private readonly rows = new Map<string, SagaFailure>();

  async park(failure: SagaFailure): Promise<void> {
    this.rows.set(keyOf(failure.saga, failure.eventId), structuredClone(failure));
  }

  async list(saga?: string): Promise<SagaFailure[]> {
    return [...this.rows.values()]
      .filter((f) => saga === undefined || f.saga === saga)
      .sort((a, b) => a.position - b.position || (a.saga < b.saga ? -1 : 1))
      .map((f) => structuredClone(f));
  }

  async remove(saga: string, eventId: string): Promise<void> {
    this.rows.delete(keyOf(saga, eventId));
  }
}

function keyOf(saga: string, eventId: string): string {
  return `${saga}\u0000${eventId}`;
}
