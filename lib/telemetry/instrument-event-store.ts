import type { EventStore } from '../core/event-store.js';
import type { AppendOptions, NewEvent } from '../core/event-store.types.js';
import { streamCategory } from '../core/stream-id.js';
import { instruments } from './metrics.js';
import { otel } from './otel-api.js';
import { inSpan, traceMetadata } from './tracing.js';

/**
 * Gives the store's appends a span (`eventstore.append`), the append metrics, and the trace
 * context in every appended event's metadata (`traceparent`), so whatever handles the event later
 * (a saga, a projection) continues the trace. Without `@opentelemetry/api` the store is returned
 * untouched. Applied once, where the module provides the `EventStore`.
 */
export function instrumentEventStore<S extends EventStore>(store: S): S {
  if (!otel) return store;
  const append = store.appendToStream.bind(store);
  store.appendToStream = (
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ) =>
    inSpan(
      'eventstore.append',
      { 'eventsourcing.stream_id': streamId, 'eventsourcing.event_count': events.length },
      async () => {
        const started = performance.now();
        const trace = traceMetadata();
        const result = await append(streamId, events, {
          ...options,
          metadata: { ...options.metadata, ...trace },
        });
        const m = instruments();
        const category = safeCategory(streamId);
        m?.appends.add(1, { 'eventsourcing.category': category });
        m?.appendDuration.record(performance.now() - started, {
          'eventsourcing.category': category,
        });
        return result;
      },
    );
  return store;
}

function safeCategory(streamId: string): string {
  try {
    return streamCategory(streamId);
  } catch {
    return 'invalid';
  }
}
