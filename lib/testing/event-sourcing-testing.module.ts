import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { EventSourcedAggregate } from '../aggregate/event-sourced-aggregate.js';
import { EventSourcingModule } from '../event-sourcing.module.js';
import type { AggregateClass } from '../repository/aggregate-repository.js';
import type { UpcasterDefinition } from '../serialization/serialization.types.js';

export interface EventSourcingTestingOptions {
  /** Aggregates whose repositories the test injects. */
  aggregates?: AggregateClass<EventSourcedAggregate>[];
  upcasters?: UpcasterDefinition[];
}

/**
 * The module on the in-memory store, with @nestjs/cqrs, for `Test.createTestingModule`:
 * `imports: [EventSourcingTestingModule.forRoot({ aggregates: [Order] })]`.
 */
@Module({})
export class EventSourcingTestingModule {
  static forRoot(options: EventSourcingTestingOptions = {}): DynamicModule {
    return {
      module: EventSourcingTestingModule,
      imports: [
        CqrsModule.forRoot(),
        EventSourcingModule.forRoot({ type: 'memory', upcasters: options.upcasters }),
        EventSourcingModule.forFeature(options.aggregates ?? []),
      ],
      exports: [EventSourcingModule],
    };
  }
}
