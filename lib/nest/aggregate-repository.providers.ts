import { Logger, type Provider } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { EventStore } from '../core/event-store.js';
import { EventStoreConnection } from './event-store-connection.js';
import { SnapshotStore } from '../core/snapshot-store.js';
import { getEventSourcingHandlers } from '../aggregate/event-sourcing-handler.decorator.js';
import type { EventSourcedAggregate } from '../aggregate/event-sourced-aggregate.js';
import { getDomainEventMetadata } from '../serialization/domain-event.decorator.js';
import { EventRegistry } from '../serialization/event-registry.js';
import type { EventClass } from '../serialization/serialization.types.js';
import { AggregateRepository, type AggregateClass } from '../aggregate/aggregate-repository.js';
import { getAggregateRepositoryToken } from '../aggregate/aggregate-repository.token.js';
import { aggregateTracer } from '../telemetry/aggregate-tracer.js';
import { UndecoratedHandledEventError } from '../core/errors/undecorated-handled-event.error.js';

/**
 * Registers the event classes a feature module names in `forFeature(..., { events })`. A provider
 * of its own (not a step of a repository factory) so that `forFeature([], { events })`, a module
 * with no aggregate whose projections or sagas read those events, registers them too.
 */
export function createFeatureEventsProvider(events: EventClass[]): Provider {
  return {
    provide: Symbol('EventSourcingModule.forFeature events'),
    inject: [EventRegistry],
    useFactory: (registry: EventRegistry) => {
      registry.register(...events);
      return events;
    },
  };
}

/** One repository provider per aggregate; registering its events stops boot on a mistake. */
export function createAggregateRepositoryProviders(
  aggregates: AggregateClass<EventSourcedAggregate>[],
): Provider[] {
  return aggregates.map((aggregateClass) => ({
    provide: getAggregateRepositoryToken(aggregateClass),
    inject: [EventStore, EventRegistry, EventBus, SnapshotStore, EventStoreConnection],
    useFactory: (
      store: EventStore,
      registry: EventRegistry,
      eventBus: EventBus,
      snapshots: SnapshotStore,
      connection: EventStoreConnection,
    ) => {
      for (const eventClass of getEventSourcingHandlers(aggregateClass).keys()) {
        if (!getDomainEventMetadata(eventClass)) {
          throw new UndecoratedHandledEventError(aggregateClass.name, eventClass.name);
        }
        registry.register(eventClass as EventClass);
      }
      const repository = new AggregateRepository(aggregateClass, {
        store,
        registry,
        eventBus,
        snapshots,
        logger: new Logger(`AggregateRepository<${aggregateClass.name}>`),
        afterCommit: (manager, callback) => connection.afterCommit(manager, callback),
        tracer: aggregateTracer,
      });
      return repository;
    },
  }));
}
