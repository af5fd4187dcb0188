import { Transport, type ClientProvider, type MicroserviceOptions } from '@nestjs/microservices';

/** Where the bank publishes its events: RabbitMQ (`amqp://`) or NATS (`nats://`). */
export interface SampleBroker {
  url: string;
  /** RabbitMQ queue the events go to (NATS uses the pattern as subject). @default 'bank-events' */
  queue?: string;
}

/** The pattern (NATS subject) of every forwarded bank event. */
export const BANK_EVENTS_PATTERN = 'bank.events';

/** BROKER_URL=amqp://guest:guest@127.0.0.1:5672 or nats://127.0.0.1:4222 turns forwarding on. */
export function brokerFromEnv(env: NodeJS.ProcessEnv = process.env): SampleBroker | undefined {
  const url = env.BROKER_URL;
  if (!url) return undefined;
  if (!/^(amqps?|nats):\/\//.test(url)) {
    throw new Error(`BROKER_URL must start with amqp:// or nats://, got "${url}"`);
  }
  return { url, queue: env.BANK_EVENTS_QUEUE };
}

/** The producer's client (the forwarder publishes through it). */
export function clientOptions(broker: SampleBroker): ClientProvider {
  return broker.url.startsWith('nats')
    ? {
        transport: Transport.NATS,
        options: { servers: [broker.url], maxReconnectAttempts: -1 },
      }
    : {
        transport: Transport.RMQ,
        options: {
          urls: [broker.url],
          queue: broker.queue ?? 'bank-events',
          queueOptions: { durable: true },
        },
      };
}

/** The consumer's server: RabbitMQ acknowledges only after the inbox committed, one at a time. */
export function serverOptions(broker: SampleBroker): MicroserviceOptions {
  return broker.url.startsWith('nats')
    ? { transport: Transport.NATS, options: { servers: [broker.url], maxReconnectAttempts: -1 } }
    : {
        transport: Transport.RMQ,
        options: {
          urls: [broker.url],
          queue: broker.queue ?? 'bank-events',
          queueOptions: { durable: true },
          noAck: false,
          prefetchCount: 1,
        },
      };
}
