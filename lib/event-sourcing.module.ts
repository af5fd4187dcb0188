import { Module, type DynamicModule } from '@nestjs/common';
import { EventSourcingCoreModule } from './module/event-sourcing-core.module.js';
import type {
  EVENT_SOURCING_ASYNC_OPTIONS_TYPE,
  EVENT_SOURCING_OPTIONS_TYPE,
} from './module/event-sourcing.module-definition.js';

/**
 * Event sourcing for a Nest application. `forRoot`/`forRootAsync` once in the root module: they
 * provide the `EventStore` everywhere (global).
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
}
