import type { LogEvent, StoredEvent } from '../core/event-store.types.js';

/** A stored event from a row selected with the dialect's `columns` (with its log checkpoint). */
export function decodeEvent(row: Record<string, unknown>): StoredEvent;
export function decodeEvent(row: Record<string, unknown>, checkpoint: string): LogEvent;
export function decodeEvent(row: Record<string, unknown>, checkpoint?: string): StoredEvent {
  const event: StoredEvent & { checkpoint?: string } = {
    eventId: String(row.event_id),
    type: String(row.type),
    streamId: String(row.stream_id),
    version: Number(row.version),
    globalPosition: Number(row.global_position),
    data: fromJson(row.data),
    metadata: fromJson(row.metadata) as StoredEvent['metadata'],
    occurredAt: toDate(row.created_at),
  };
  if (checkpoint !== undefined) event.checkpoint = checkpoint;
  return event;
}

// Every dialect selects JSON columns as text, so a payload that is itself a string stays unambiguous.
function fromJson(value: unknown): unknown {
  return JSON.parse(String(value));
}

function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  return new Date(typeof value === 'number' ? value : String(value));
}
