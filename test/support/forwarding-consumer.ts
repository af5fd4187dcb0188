import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload, Transport } from '@nestjs/microservices';
import type { DataSource } from 'typeorm';
import {
  DomainEvent,
  EventInbox,
  EventSourcingModule,
  provideEventInbox,
  type ForwardedEvent,
} from 'nestjs-event-sourcing';
import type { DatabaseKind } from './test-databases.js';

@DomainEvent('drill.happened')
export class DrillHappened {
  constructor(readonly n: number) {}
}

export const APPLIED_TABLE = 'drill_applied';

export function appliedTableSql(kind: DatabaseKind): string {
  const seq =
    kind === 'postgres'
      ? 'seq BIGSERIAL PRIMARY KEY'
      : kind === 'mariadb'
        ? 'seq BIGINT AUTO_INCREMENT PRIMARY KEY'
        : 'seq INTEGER PRIMARY KEY AUTOINCREMENT';
  return (
    `CREATE TABLE ${APPLIED_TABLE} (${seq}, stream_id VARCHAR(255) NOT NULL, ` +
    'version INT NOT NULL, event_id VARCHAR(64) NOT NULL, n INT NOT NULL)'
  );
}

export interface ConsumerSetup {
  kind: DatabaseKind;
  dataSource: DataSource;
  schema: string | undefined;
  transport: 'rmq' | 'nats';
  url: string;
  queue: string;
  pattern: string;
  /** Every delivery's event id, duplicates included. */
  deliveries: string[];
  /** RabbitMQ: declare the queue durable (as the forwarder does). */
  durable?: boolean;
  /** Awaited after each delivery is recorded, before it is applied (a drill holds the consumer). */
  beforeApply?: () => Promise<void>;
}

/**
 * The receiving side of the drills: a Nest microservice whose @EventPattern handler applies each
 * forwarded event through the inbox, writing one row per application.
 */
export async function startConsumer(setup: ConsumerSetup): Promise<INestMicroservice> {
  const insert =
    setup.kind === 'postgres'
      ? `INSERT INTO ${APPLIED_TABLE} (stream_id, version, event_id, n) VALUES ($1, $2, $3, $4)`
      : `INSERT INTO ${APPLIED_TABLE} (stream_id, version, event_id, n) VALUES (?, ?, ?, ?)`;

  @Controller()
  class DrillConsumer {
    constructor(private readonly inbox: EventInbox) {}

    @EventPattern(setup.pattern)
    async received(@Payload() message: object, @Ctx() ctx: unknown): Promise<void> {
      setup.deliveries.push((message as ForwardedEvent).eventId);
      await setup.beforeApply?.();
      await this.inbox.handle(
        'drill',
        message,
        async (event, { manager, envelope }) => {
          if (!(event instanceof DrillHappened)) throw new Error('not revived as DrillHappened');
          await manager!.query(insert, [
            envelope.streamId,
            envelope.version,
            envelope.eventId,
            event.n,
          ]);
        },
        ctx,
      );
    }
  }

  @Module({
    imports: [
      EventSourcingModule.forRoot({
        dataSource: setup.dataSource,
        schema: setup.schema,
        workers: false,
      }),
    ],
    controllers: [DrillConsumer],
    providers: [provideEventInbox({ events: [DrillHappened] })],
  })
  class ConsumerModule {}

  const app = await NestFactory.createMicroservice(
    ConsumerModule,
    setup.transport === 'rmq'
      ? {
          transport: Transport.RMQ,
          options: {
            urls: [setup.url],
            queue: setup.queue,
            queueOptions: { durable: setup.durable ?? false },
            noAck: false,
            prefetchCount: 1,
          },
          logger: ['error', 'warn'],
        }
      : {
          transport: Transport.NATS,
          options: { servers: [setup.url] },
          logger: ['error', 'warn'],
        },
  );
  await app.listen();
  return app;
}
