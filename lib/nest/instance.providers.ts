import type { Provider } from '@nestjs/common';
import { InstanceRegistry } from '../sql/instance-registry.js';
import { WorkerBalancer } from '../engine/worker-balancer.js';
import { EventStoreConnection } from './event-store-connection.js';

/**
 * This instance's heartbeat (when it runs workers) and the balancer its projections share: the
 * instances of an application split the workers' leases evenly, knowing each other through the
 * store's database only.
 */
export const instanceProviders: Provider[] = [
  {
    provide: InstanceRegistry,
    inject: [EventStoreConnection],
    useFactory: async (connection: EventStoreConnection) => {
      const registry = new InstanceRegistry(connection.dataSource, {
        tablePrefix: connection.options.tablePrefix,
        schema: connection.options.schema,
      });
      if (connection.dataSource) await connection.addSchemaPart(registry);
      if (connection.options.workers !== false) await registry.start();
      return registry;
    },
  },
  {
    provide: WorkerBalancer,
    inject: [InstanceRegistry],
    useFactory: (registry: InstanceRegistry) => new WorkerBalancer(registry),
  },
];
