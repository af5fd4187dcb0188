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

/** One repository provider per aggregate; registering its events stops boot on a mistake. */
export function createAggregateRepositoryProviders(
  aggregates: AggregateClass<EventSourcedAggregate>[],
  events: EventClass[] = [],
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
      registry.register(...events);
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
