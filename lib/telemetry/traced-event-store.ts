import type { EventStore } from '../core/event-store.js';
import type { AppendOptions, AppendResult, NewEvent } from '../core/event-store.types.js';
import { streamCategory } from '../core/stream-id.js';
import { instruments } from './metrics.js';
import { otel } from './otel-api.js';
import { inSpan, traceMetadata } from './tracing.js';

/** What the mixin needs of a concrete event store (`EventStore.appendToStream`, as a method). */
interface Appends {
  appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): ReturnType<EventStore['appendToStream']>;
}

/** A concrete event store class (its constructor's arguments are its own business). */
// A mixin's base must take `any[]` (TypeScript's rule for mixin classes, TS2545).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type StoreClass = new (...args: any[]) => Appends;

/**
 * The store class `Base` with traced appends: each append gets a span (`eventstore.append`), the
 * append metrics, and the trace context in every appended event's metadata (`traceparent`), so
 * whatever handles the event later (a saga, a projection) continues the trace. A subclass, so the
 * store stays what it is (`instanceof TypeOrmEventStore` holds) and its own appends are traced
 * too. Without `@opentelemetry/api`, `Base` itself. lib/nest builds its stores from this.
 */
export function withAppendTracing<C extends StoreClass>(Base: C): C {
  if (!otel) return Base;
  class TracedEventStore extends Base {
    override appendToStream(
      streamId: string,
      events: readonly NewEvent[],
      options: AppendOptions = {},
    ): Promise<AppendResult> {
      return inSpan(
        'eventstore.append',
        { 'eventsourcing.stream_id': streamId, 'eventsourcing.event_count': events.length },
        async () => {
          const started = performance.now();
          const result = await super.appendToStream(streamId, events, {
            ...options,
            metadata: { ...options.metadata, ...traceMetadata() },
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
    }
  }
  return TracedEventStore;
}

function safeCategory(streamId: string): string {
  try {
    return streamCategory(streamId);
  } catch {
    return 'invalid';
  }
}
