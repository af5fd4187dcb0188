/**
 * A separate process that runs one subscription and dies mid-batch: the crash test compiles this
 * file (and what it imports from lib/) with SWC and runs it with plain `node`. It writes each event
 * of a batch into the read model inside the batch transaction and, after `crashAfter` events,
 * prints "crash-point" and hangs with the transaction open until the test kills it.
 */
import { DataSource, type DataSourceOptions, type EntityManager } from 'typeorm';
import { Subscription } from '../../lib/engine/subscription.js';
import { TypeOrmSubscriptionStore } from '../../lib/sql/typeorm-subscription-store.js';
import { TypeOrmEventStore } from '../../lib/sql/typeorm-event-store.js';

export interface SubscriptionChildConfig {
  options: DataSourceOptions;
  schema: string | undefined;
  name: string;
  owner: string;
  /** INSERT with placeholders for (subscription, event id, position, owner). */
  insertSql: string;
  batchSize: number;
  categories: string[];
  leaseTtlMs: number;
  crashAfter: number;
}

const config = JSON.parse(process.argv[2]) as SubscriptionChildConfig;
const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };
const dataSource = await new DataSource(config.options).initialize();
let handled = 0;
const subscription = new Subscription({
  name: config.name,
  owner: config.owner,
  eventStore: new TypeOrmEventStore(dataSource, { schema: config.schema }),
  subscriptionStore: new TypeOrmSubscriptionStore(dataSource, { schema: config.schema }),
  batchSize: config.batchSize,
  categories: config.categories,
  leaseTtlMs: config.leaseTtlMs,
  pollIntervalMs: 20,
  logger: silent,
  handler: async (events, { manager }) => {
    for (const event of events) {
      await (manager as EntityManager).query(config.insertSql, [
        config.name,
        event.eventId,
        event.globalPosition,
        config.owner,
      ]);
      if (++handled === config.crashAfter) {
        process.stdout.write('crash-point\n');
        await new Promise(() => setInterval(() => undefined, 1000));
      }
    }
  },
});
await subscription.start();
