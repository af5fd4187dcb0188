import type { Provider } from '@nestjs/common';
import { InstanceRegistry, SingleInstanceRegistry } from '../core/instance-registry.js';
import { SqlInstanceRegistry } from '../sql/sql-instance-registry.js';
import { WorkerBalancer } from '../engine/worker-balancer.js';
import { EventStoreConnection } from './event-store-connection.js';
import { InstancesStatus } from './instances-status.js';

/**
 * This instance's heartbeat (when it runs workers) and the balancer its projections share: the
 * instances of an application split the workers' leases evenly, knowing each other through the
 * store's database only. `InstancesStatus` tells which instance holds which lease.
 */
export const instanceProviders: Provider[] = [
  {
    provide: InstanceRegistry,
    inject: [EventStoreConnection],
    useFactory: async (connection: EventStoreConnection) => {
      const { dataSource, options } = connection;
      if (!dataSource) return new SingleInstanceRegistry();
      const registry = new SqlInstanceRegistry(dataSource, {
        tablePrefix: options.tablePrefix,
        schema: options.schema,
      });
      await connection.addSchemaPart(registry);
      if (connection.options.workers !== false) await registry.start();
      return registry;
    },
  },
  {
    provide: WorkerBalancer,
    inject: [InstanceRegistry],
    useFactory: (registry: InstanceRegistry) => new WorkerBalancer(registry),
  },
  InstancesStatus,
];
