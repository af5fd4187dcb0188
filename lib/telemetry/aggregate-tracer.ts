import type { AggregateTracer } from '../aggregate/aggregate-repository.js';
import { otel } from './otel-api.js';
import { inSpan } from './tracing.js';

/**
 * Spans for aggregate loads (`aggregate.load`) and saves (`aggregate.save`; the save's append is
 * its child), given to each `AggregateRepository`. Undefined without `@opentelemetry/api`: the
 * repository then traces nothing.
 */
export const aggregateTracer: AggregateTracer | undefined = otel && {
  load: (aggregate, id, work) =>
    inSpan(
      'aggregate.load',
      { 'eventsourcing.aggregate': aggregate, 'eventsourcing.aggregate_id': id },
      work,
    ),
  save: (aggregate, id, eventCount, work) =>
    inSpan(
      'aggregate.save',
      {
        'eventsourcing.aggregate': aggregate,
        'eventsourcing.aggregate_id': id,
        'eventsourcing.event_count': eventCount,
      },
      work,
    ),
};
