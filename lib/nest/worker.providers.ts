import type { Provider } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { WorkerEnvironment } from '../engine/worker-environment.js';
import { WorkerHealthSource } from '../engine/worker-health.js';
import { ProjectionStorage } from '../projection/projection-storage.js';
import { runInTransaction } from '../sql/run-in-transaction.js';
import { TypeOrmEventStore } from '../sql/typeorm-event-store.js';
import { EventStoreConnection } from './event-store-connection.js';
import { EventSourcingHealthIndicator } from './health/event-sourcing.health-indicator.js';

/**
 * The ports the worker layers (projections, sagas, forwarders, telemetry) are given, built here
 * from the store's connection: the only place that knows which adapter backs them.
 */
export const workerProviders: Provider[] = [
  {
    provide: WorkerEnvironment,
    inject: [EventStoreConnection],
    useFactory: (connection: EventStoreConnection): WorkerEnvironment => {
      const store = connection.store;
      return {
        autoStart: connection.options.workers !== false, // also false in the operator CLI
        changes: connection.changes,
        heldBackMs: async () =>
          store instanceof TypeOrmEventStore ? store.readHorizonAgeMs() : undefined,
      };
    },
  },
  {
    provide: ProjectionStorage,
    inject: [EventStoreConnection],
    useFactory: (connection: EventStoreConnection): ProjectionStorage => {
      const dataSource = connection.dataSource;
      return {
        manager: dataSource?.manager,
        transaction: async (work: (manager: EntityManager | undefined) => Promise<void>) => {
          if (dataSource) await runInTransaction(dataSource, work);
          else await work(undefined);
        },
        addInlineHandler: (handler) => connection.addInlineHandler(handler),
      };
    },
  },
  { provide: WorkerHealthSource, useExisting: EventSourcingHealthIndicator },
];
