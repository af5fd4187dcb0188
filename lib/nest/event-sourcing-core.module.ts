import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { EventSourcingExplorer } from './event-sourcing.explorer.js';
import { EventStore } from '../core/event-store.js';
import { SnapshotStore } from '../core/snapshot-store.js';
import { EventSourcingHealthIndicator } from './health/event-sourcing.health-indicator.js';
import { HeldBackMonitor } from './held-back-monitor.js';
import { WorkerMetrics } from '../telemetry/worker-metrics.js';
import { ProjectionManager } from '../projection/projection-manager.js';
import { sagaExports, sagaProviders } from './saga.providers.js';
import { SubscriptionStore } from '../core/subscription-store.js';
import { EventRegistry } from '../serialization/event-registry.js';
import { EventStoreConnection } from './event-store-connection.js';
import { StoreSchema } from './store-schema.js';
import { EVENT_STORE_DATA_SOURCE } from './event-store-data-source.decorator.js';
import { EVENT_SOURCING_OPERATOR_CLI } from './operator-cli.module.js';
import { instanceProviders } from './instance.providers.js';
import { parkedPartitionProviders } from './parked-partition.providers.js';
import { workerProviders } from './worker.providers.js';
import { WorkerEnvironment } from '../engine/worker-environment.js';
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
      inject: [EVENT_SOURCING_OPTIONS, { token: EVENT_SOURCING_OPERATOR_CLI, optional: true }],
      useFactory: (options: EventSourcingModuleOptions, operatorCli?: boolean) =>
        EventStoreConnection.open(validateOptions(options), operatorCli === true),
    },
    { provide: StoreSchema, useExisting: EventStoreConnection },
    {
      provide: EVENT_STORE_DATA_SOURCE,
      inject: [EventStoreConnection],
      useFactory: (connection: EventStoreConnection) => connection.dataSource ?? null,
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
    ...workerProviders,
    ...parkedPartitionProviders,
    EventSourcingExplorer,
    ProjectionManager,
    ...sagaProviders,
    HeldBackMonitor,
    EventSourcingHealthIndicator,
    WorkerMetrics,
  ],
  exports: [
    EventStore,
    SnapshotStore,
    SubscriptionStore,
    EventRegistry,
    EventStoreConnection,
    EVENT_STORE_DATA_SOURCE,
    ProjectionManager,
    ...instanceProviders,
    ...parkedPartitionProviders,
    WorkerEnvironment,
    ...sagaExports,
    HeldBackMonitor,
    EventSourcingHealthIndicator,
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
