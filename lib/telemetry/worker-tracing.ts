import type { LogEvent, StoredEvent } from '../core/event-store.types.js';
import { instruments } from './metrics.js';
import { otel } from './otel-api.js';
import { contextOfEvent, inSpan } from './tracing.js';

/**
 * A projection batch as a span (`projection.batch`), its duration and failed attempts as metrics.
 * The span continues the trace of the batch's last event (the newest cause of the work).
 */
export async function traceProjectionBatch(
  projection: string,
  events: readonly LogEvent[],
  work: () => Promise<void>,
): Promise<void> {
  if (!otel) return work();
  const started = performance.now();
  const attributes = {
    'eventsourcing.projection': projection,
    'eventsourcing.event_count': events.length,
    'eventsourcing.first_position': events[0]?.globalPosition ?? 0,
  };
  try {
    await inSpan('projection.batch', attributes, work, contextOfEvent(events.at(-1)?.metadata));
  } catch (error) {
    instruments()?.failures.add(1, {
      'eventsourcing.worker': projection,
      'eventsourcing.kind': 'projection',
    });
    throw error;
  } finally {
    instruments()?.batchDuration.record(performance.now() - started, {
      'eventsourcing.projection': projection,
    });
  }
}

/** One attempt at a saga event (`saga.handle`), a child of the span that appended the event. */
export async function traceSagaEvent(
  saga: string,
  event: StoredEvent,
  work: () => Promise<void>,
): Promise<void> {
  if (!otel) return work();
  const attributes = {
    'eventsourcing.saga': saga,
    'eventsourcing.event_type': event.type,
    'eventsourcing.event_id': event.eventId,
    'eventsourcing.position': event.globalPosition,
  };
  try {
    await inSpan('saga.handle', attributes, work, contextOfEvent(event.metadata));
  } catch (error) {
    instruments()?.failures.add(1, { 'eventsourcing.worker': saga, 'eventsourcing.kind': 'saga' });
    throw error;
  }
}

/** A command a saga sends (`saga.command`), a child of the saga's handling span. */
export function traceSagaCommand<T>(
  saga: string,
  command: object,
  work: () => Promise<T>,
): Promise<T> {
  if (!otel) return work();
  return inSpan(
    'saga.command',
    { 'eventsourcing.saga': saga, 'eventsourcing.command': command.constructor.name },
    work,
  );
}

/** Counts an event a saga parked. */
export function countParked(saga: string): void {
  instruments()?.parked.add(1, { 'eventsourcing.saga': saga });
}
