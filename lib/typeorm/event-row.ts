import type { StoredEvent } from '../event-store/event-store.types.js';

/** A stored event from a row selected with the dialect's `columns`. */
export function decodeEvent(row: Record<string, unknown>): StoredEvent {
  return {
    eventId: String(row.event_id),
    type: String(row.type),
    streamId: String(row.stream_id),
    version: Number(row.version),
    globalPosition: Number(row.global_position),
    data: fromJson(row.data),
    metadata: fromJson(row.metadata) as StoredEvent['metadata'],
    occurredAt: row.created_at instanceof Date ? row.created_at : new Date(String(row.created_at)),
  };
}

// Every dialect selects JSON columns as text, so a payload that is itself a string stays unambiguous.
function fromJson(value: unknown): unknown {
  return JSON.parse(String(value));
}
