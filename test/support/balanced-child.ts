import { DataSource, type DataSourceOptions, type EntityManager } from 'typeorm';
import { SqlInstanceRegistry } from '../../lib/sql/sql-instance-registry.js';
import { Subscription } from '../../lib/engine/subscription.js';
import { WorkerBalancer } from '../../lib/engine/worker-balancer.js';
import { TypeOrmSubscriptionStore } from '../../lib/sql/typeorm-subscription-store.js';
import { TypeOrmEventStore } from '../../lib/sql/typeorm-event-store.js';

// One instance of an application with six projections, balanced with its siblings through the
// database; the balanced-workers drill starts three and SIGKILLs one.

export interface BalancedChildConfig {
  options: DataSourceOptions;
  schema: string | undefined;
  projections: string[];
  /** INSERT with placeholders for (projection, event id). */
  insertSql: string;
  leaseTtlMs: number;
}

const config = JSON.parse(process.argv[2]) as BalancedChildConfig;
const dataSource = await new DataSource(config.options).initialize();
const registry = new SqlInstanceRegistry(dataSource, { schema: config.schema }, config.leaseTtlMs);
await registry.migrate();
await registry.start();
const balancer = new WorkerBalancer(registry);
const silent = { log: () => undefined, warn: () => undefined, error: console.error };
const eventStore = new TypeOrmEventStore(dataSource, { schema: config.schema });
const subscriptionStore = new TypeOrmSubscriptionStore(dataSource, { schema: config.schema });
for (const name of config.projections) {
  const subscription = new Subscription({
    name,
    eventStore,
    subscriptionStore,
    balancer,
    batchSize: 20,
    pollIntervalMs: 50,
    leaseTtlMs: config.leaseTtlMs,
    logger: silent,
    handler: async (events, { manager }) => {
      for (const event of events)
        await (manager as EntityManager).query(config.insertSql, [name, event.eventId]);
    },
  });
  await subscription.start();
}
process.stdout.write(`instance ${registry.instanceId}\n`);
