import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CommandContextExplorer } from '../context/command-context.explorer.js';
import { EventStore } from '../event-store/event-store.js';
import { SnapshotStore } from '../event-store/snapshot-store.js';
import { ProjectionManager } from '../projection/projection-manager.js';
import { sagaExports, sagaProviders } from '../saga/saga.providers.js';
import { SubscriptionStore } from '../subscription/subscription-store.js';
import { EventRegistry } from '../serialization/event-registry.js';
import { UpcasterExplorer } from '../serialization/upcaster.explorer.js';
import { EventStoreConnection } from './event-store-connection.js';
import { instanceProviders } from './instance.providers.js';
import { validateOptions, type EventSourcingModuleOptions } from './event-sourcing.options.js';
import {
  ConfigurableEventSourcingCoreModule,
  EVENT_SOURCING_OPTIONS,
} from './event-sourcing.module-definition.js';

/** Owns the connection, the store, the event registry and their shutdown. */
@Global()
@Module({
  imports: [DiscoveryModule],
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
    {
      provide: SnapshotStore,
      inject: [EventStoreConnection],
      useFactory: (connection: EventStoreConnection) => connection.snapshots,
    },
    {
      provide: EventRegistry,
      inject: [EVENT_SOURCING_OPTIONS],
      useFactory: (options: EventSourcingModuleOptions) => {
        const registry = new EventRegistry();
        for (const upcaster of options.upcasters ?? []) registry.addUpcaster(upcaster);
        return registry;
      },
    },
    {
      provide: SubscriptionStore,
      inject: [EventStoreConnection],
      useFactory: (connection: EventStoreConnection) => connection.subscriptions,
    },
    ...instanceProviders,
    UpcasterExplorer,
    CommandContextExplorer,
    ProjectionManager,
    ...sagaProviders,
  ],
  exports: [
    EventStore,
    SnapshotStore,
    SubscriptionStore,
    EventRegistry,
    EventStoreConnection,
    ProjectionManager,
    ...instanceProviders,
    ...sagaExports,
  ],
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
