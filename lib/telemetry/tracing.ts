import type { Attributes, Context, Span } from '@opentelemetry/api';
import { otel } from './otel-api.js';

/** The instrumentation scope of every span and metric of the library. */
export const SCOPE = 'nestjs-event-sourcing';
/** The metadata key that carries the W3C trace context of the code that appended an event. */
export const TRACEPARENT = 'traceparent';

/**
 * Runs `work` in a span named `name` (a child of the active span, or of `parent`), records an
 * error it throws, and ends the span. Without the OpenTelemetry API it just runs `work`.
 */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span | undefined) => Promise<T>,
  parent?: Context,
): Promise<T> {
  if (!otel) return work(undefined);
  const api = otel;
  const tracer = api.trace.getTracer(SCOPE);
  const context = parent ?? api.context.active();
  return tracer.startActiveSpan(name, { attributes }, context, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** `{ traceparent }` of the active span (W3C format), or `{}` when nothing is traced. */
export function traceMetadata(): Record<string, string> {
  if (!otel) return {};
  const span = otel.trace.getActiveSpan();
  const sc = span?.spanContext();
  if (!sc || !otel.isSpanContextValid(sc)) return {};
  const flags = (sc.traceFlags & 0xff).toString(16).padStart(2, '0');
  return { [TRACEPARENT]: `00-${sc.traceId}-${sc.spanId}-${flags}` };
}

/** The context of the code that appended an event (from its `traceparent`), if it was traced. */
export function contextOfEvent(metadata: Record<string, unknown> | undefined): Context | undefined {
  if (!otel) return undefined;
  const value = metadata?.[TRACEPARENT];
  if (typeof value !== 'string') return undefined;
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(value);
  if (!match) return undefined;
  const spanContext = {
    traceId: match[1],
    spanId: match[2],
    traceFlags: parseInt(match[3], 16),
    isRemote: true,
  };
  if (!otel.isSpanContextValid(spanContext)) return undefined;
  return otel.trace.setSpanContext(otel.ROOT_CONTEXT, spanContext);
}
