/**
 * A separate process that forwards the store's events to a broker until the test kills it with
 * SIGKILL (compiled with SWC and run with plain `node` by the forwarding drill).
 */
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ChangeFeed } from '../../lib/core/change-feed.js';
import { WorkerHost } from '../../lib/engine/worker-host.js';
import { EventForwarder } from '../../lib/forwarding/event-forwarder.js';
import { TypeOrmSubscriptionStore } from '../../lib/sql/typeorm-subscription-store.js';
import { TypeOrmEventStore } from '../../lib/sql/typeorm-event-store.js';

export interface ForwarderChildConfig {
  options: DataSourceOptions;
  schema: string | undefined;
  transport: 'rmq' | 'nats';
  /** Broker URL (through the test's TCP proxy). */
  url: string;
  /** RabbitMQ queue, or the pattern (NATS subject). */
  queue: string;
  pattern: string;
  name: string;
  batchSize: number;
  /** RabbitMQ: a durable queue and persistent messages (they survive a broker restart). */
  durable?: boolean;
}

const config = JSON.parse(process.argv[2]) as ForwarderChildConfig;
process.stdout.write('connecting\n');
const dataSource = await new DataSource(config.options).initialize();
process.stdout.write('connected\n');
const client: ClientProxy =
  config.transport === 'rmq'
    ? ClientProxyFactory.create({
        transport: Transport.RMQ,
        options: {
          urls: [config.url],
          queue: config.queue,
          queueOptions: { durable: config.durable ?? false },
          persistent: config.durable ?? false,
          socketOptions: { reconnectTimeInSeconds: 0.2, heartbeatIntervalInSeconds: 1 },
        },
      })
    : ClientProxyFactory.create({
        transport: Transport.NATS,
        options: { servers: [config.url], maxReconnectAttempts: -1, reconnectTimeWait: 200 },
      });
const log = (message: string) => process.stdout.write(`${message}\n`);
// No commit notices from this process: the forwarder polls, as it would for another process's writes.
const host = new WorkerHost({
  store: new TypeOrmEventStore(dataSource, { schema: config.schema }),
  subscriptions: new TypeOrmSubscriptionStore(dataSource, { schema: config.schema }),
  environment: { autoStart: true, changes: new ChangeFeed(), heldBackMs: async () => undefined },
});
const forwarder = new EventForwarder(
  {
    name: config.name,
    client,
    pattern: config.pattern,
    batchSize: config.batchSize,
    pollIntervalMs: 50,
    leaseTtlMs: 2000,
    publishTimeoutMs: 1000,
  },
  host,
  { log, warn: log, error: log },
);
await forwarder.worker.start();
log('started');
setInterval(() => {
  const s = forwarder.status();
  log(`status ${s.state} published=${s.published}`);
}, 500);
