import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { DataSourceOptions } from 'typeorm';
import type { EventSourcedAggregate } from '../aggregate/event-sourced-aggregate.js';
import { EventSourcingModule } from '../nest/event-sourcing.module.js';
import type { AggregateClass } from '../aggregate/aggregate-repository.js';
import type { UpcasterDefinition } from '../serialization/serialization.types.js';

export interface EventSourcingTestingOptions {
  /** Aggregates whose repositories the test injects. */
  aggregates?: AggregateClass<EventSourcedAggregate>[];
  upcasters?: UpcasterDefinition[];
  /**
   * Where events are kept. `'memory'`: the in-memory store (projections get no `manager`).
   * `'sqlite'`: an in-memory SQLite database (better-sqlite3, no server, gone when the module
   * closes), so projections that write TypeORM entities through `ctx.manager` run as in
   * production. @default 'sqlite' when `entities` are given, otherwise 'memory'
   */
  store?: 'memory' | 'sqlite';
  /** Read-model entities for the SQLite store; their tables are created at startup. */
  entities?: NonNullable<DataSourceOptions['entities']>;
  /**
   * Run projection and saga workers. Tests usually leave them on and wait with
   * `ProjectionManager.waitForCatchUp()`. @default true
   */
  workers?: boolean;
}

/**
 * The module with @nestjs/cqrs for `Test.createTestingModule`:
 * `imports: [EventSourcingTestingModule.forRoot({ aggregates: [Order] })]`, or with
 * `entities: [OrderSummary]` to run TypeORM projections on an in-memory SQLite database.
 */
@Module({})
export class EventSourcingTestingModule {
  static forRoot(options: EventSourcingTestingOptions = {}): DynamicModule {
    const store = options.store ?? (options.entities ? 'sqlite' : 'memory');
    const root =
      store === 'memory'
        ? EventSourcingModule.forRoot({
            type: 'memory',
            upcasters: options.upcasters,
            workers: options.workers,
          })
        : EventSourcingModule.forRoot({
            type: 'better-sqlite3',
            database: ':memory:',
            entities: options.entities ?? [],
            synchronize: true,
            upcasters: options.upcasters,
            workers: options.workers,
            retryAttempts: 0,
          });
    return {
      module: EventSourcingTestingModule,
      imports: [
        CqrsModule.forRoot(),
        root,
        EventSourcingModule.forFeature(options.aggregates ?? []),
      ],
      exports: [EventSourcingModule],
    };
  }
}
