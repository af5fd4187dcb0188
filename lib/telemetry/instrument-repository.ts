import type { EventSourcedAggregate } from '../aggregate/event-sourced-aggregate.js';
import type { AggregateRepository } from '../aggregate/aggregate-repository.js';
import { otel } from './otel-api.js';
import { inSpan } from './tracing.js';

/**
 * Spans for aggregate loads (`aggregate.load`) and saves (`aggregate.save`); the save's append
 * is its child. Without `@opentelemetry/api` the repository is returned untouched.
 */
export function instrumentRepository<T extends EventSourcedAggregate>(
  repository: AggregateRepository<T>,
  aggregate: string,
): AggregateRepository<T> {
  if (!otel) return repository;
  const find = repository.find.bind(repository);
  const save = repository.save.bind(repository);
  repository.find = (id) =>
    inSpan(
      'aggregate.load',
      { 'eventsourcing.aggregate': aggregate, 'eventsourcing.aggregate_id': id },
      () => find(id),
    );
  repository.save = (instance, options) =>
    inSpan(
      'aggregate.save',
      {
        'eventsourcing.aggregate': aggregate,
        'eventsourcing.aggregate_id': instance.id,
        'eventsourcing.event_count': instance.getUncommittedEvents().length,
      },
      () => save(instance, options),
    );
  return repository;
}
