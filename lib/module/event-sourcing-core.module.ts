import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { EventStore } from '../event-store/event-store.js';
import { EventStoreConnection } from './event-store-connection.js';
import { validateOptions, type EventSourcingModuleOptions } from './event-sourcing.options.js';
import {
  ConfigurableEventSourcingCoreModule,
  EVENT_SOURCING_OPTIONS,
} from './event-sourcing.module-definition.js';

/** Owns the connection, the store and their shutdown; `EventSourcingModule` is its facade. */
@Global()
@Module({
  providers: [
    {
      provide: EventStoreConnection,
      inject: [EVENT_SOURCING_OPTIONS],
      useFactory: (options: EventSourcingModuleOptions) =>
        EventStoreConnection.open(validateOptions(options)),
    },
    {
      provide: EventStore,
      inject: [EventStoreConnection],
      useFactory: (connection: EventStoreConnection) => connection.store,
    },
  ],
  exports: [EventStore, EventStoreConnection],
})
export class EventSourcingCoreModule
  extends ConfigurableEventSourcingCoreModule
  implements OnApplicationShutdown
{
  constructor(@Inject(EventStoreConnection) private readonly connection: EventStoreConnection) {
    super();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
  }
}
