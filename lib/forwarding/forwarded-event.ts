import type { EventMetadata, LogEvent } from '../core/event-store.types.js';

/** The envelope format's version: a consumer can refuse one it does not know. */
export const FORWARDED_EVENT_FORMAT = 1;

/**
 * What a forwarder publishes for each stored event (the `data` of the broker message; JSON).
 *
 * ```json
 * { "format": 1, "source": "bank", "eventId": "0b9c...", "type": "bank.money-deposited",
 *   "streamId": "account-42", "version": 3, "globalPosition": 1207,
 *   "occurredAt": "2026-12-01T21:09:09.123Z", "data": { "accountId": "42", "amount": 50 },
 *   "metadata": { "correlationId": "...", "causationId": "...", "eventVersion": 1,
 *                 "traceparent": "00-...-01" } }
 * ```
 * `metadata` is the stored metadata as it is: `correlationId`, `causationId`, the payload's schema
 * version (`eventVersion`, for upcasting on the receiving side), W3C trace context (`traceparent`,
 * `tracestate`) when the writer recorded one, and any keys of your own.
 */
export interface ForwardedEvent<TData = unknown> {
  format: typeof FORWARDED_EVENT_FORMAT;
  /** The forwarder's name (one application may run several). */
  source: string;
  /** The stored event's id: the de-duplication key of the receiving inbox. */
  eventId: string;
  type: string;
  streamId: string;
  /** 1-based version in the stream: events of one stream arrive in this order. */
  version: number;
  globalPosition: number;
  /** ISO 8601. */
  occurredAt: string;
  data: TData;
  metadata: EventMetadata;
}

export function toForwardedEvent(source: string, event: LogEvent): ForwardedEvent {
  return {
    format: FORWARDED_EVENT_FORMAT,
    source,
    eventId: event.eventId,
    type: event.type,
    streamId: event.streamId,
    version: event.version,
    globalPosition: event.globalPosition,
    occurredAt: event.occurredAt.toISOString(),
    data: event.data,
    metadata: event.metadata,
  };
}

/** Whether a received message is a forwarded event (checks the fields a consumer relies on). */
export function isForwardedEvent(value: unknown): value is ForwardedEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<ForwardedEvent>;
  return (
    v.format === FORWARDED_EVENT_FORMAT &&
    typeof v.eventId === 'string' &&
    typeof v.type === 'string' &&
    typeof v.streamId === 'string' &&
    typeof v.version === 'number' &&
    typeof v.metadata === 'object'
  );
}
