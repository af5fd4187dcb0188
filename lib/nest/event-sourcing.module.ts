import { Module, type DynamicModule } from '@nestjs/common';
import type { EventSourcedAggregate } from '../aggregate/event-sourced-aggregate.js';
import { EventSourcingCoreModule } from './event-sourcing-core.module.js';
import type {
  EVENT_SOURCING_ASYNC_OPTIONS_TYPE,
  EVENT_SOURCING_OPTIONS_TYPE,
} from './event-sourcing.module-definition.js';
import type { AggregateClass } from '../aggregate/aggregate-repository.js';
import {
  createAggregateRepositoryProviders,
  createFeatureEventsProvider,
} from './aggregate-repository.providers.js';
import type { EventClass } from '../serialization/serialization.types.js';

/** The options of `EventSourcingModule.forFeature`. */
export interface EventSourcingFeatureOptions {
  /**
   * Event classes to know when reading, besides those the aggregates' `@EventSourcingHandler`s
   * name (for example events handled only through the `on<EventName>` convention).
   */
  events?: EventClass[];
}

/**
 * Event sourcing for a Nest application. `forRoot`/`forRootAsync` once in the root module (global:
 * the `EventStore` is injectable everywhere); `forFeature([Order])` in any module that needs
 * `@InjectAggregateRepository(Order)`.
 */
@Module({})
export class EventSourcingModule {
  static forRoot(options: typeof EVENT_SOURCING_OPTIONS_TYPE): DynamicModule {
    return { module: EventSourcingModule, imports: [EventSourcingCoreModule.forRoot(options)] };
  }

  static forRootAsync(options: typeof EVENT_SOURCING_ASYNC_OPTIONS_TYPE): DynamicModule {
    return {
      module: EventSourcingModule,
      imports: [EventSourcingCoreModule.forRootAsync(options)],
    };
  }

  static forFeature(
    aggregates: AggregateClass<EventSourcedAggregate>[],
    options: EventSourcingFeatureOptions = {},
  ): DynamicModule {
    const repositories = createAggregateRepositoryProviders(aggregates);
    return {
      module: EventSourcingModule,
      // The events provider is not exported: it only registers the classes at boot.
      providers: [...repositories, createFeatureEventsProvider(options.events ?? [])],
      exports: repositories.map((p) => (p as { provide: string }).provide),
    };
  }
}
