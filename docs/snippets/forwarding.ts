import { Controller, Module } from '@nestjs/common';
import {
  ClientsModule,
  Ctx,
  EventPattern,
  Payload,
  Transport,
  type ClientProxy,
} from '@nestjs/microservices';
import {
  DomainEvent,
  EventForwardingModule,
  EventInbox,
  EventSourcingModule,
  provideEventInbox,
} from 'nestjs-event-sourcing';

@DomainEvent('bank.money-deposited')
class MoneyDeposited {
  constructor(
    readonly accountId: string,
    readonly amount: number,
  ) {}
}

// #region producer
@Module({
  imports: [
    EventSourcingModule.forRoot({ type: 'postgres', url: process.env.DATABASE_URL }),
    EventForwardingModule.forRootAsync({
      imports: [
        ClientsModule.register([
          {
            name: 'BANK_EVENTS',
            transport: Transport.RMQ, // or Transport.NATS, Transport.KAFKA
            options: { urls: ['amqp://127.0.0.1:5672'], queue: 'bank-events' },
          },
        ]),
      ],
      inject: ['BANK_EVENTS'],
      useFactory: (client: ClientProxy) => ({
        forwarders: [
          {
            name: 'bank', // checkpoint and lease: subscription "forward:bank"
            client,
            pattern: 'bank.events', // or (event) => event.type
            categories: ['account'], // optional filters: categories, types
          },
        ],
      }),
    }),
  ],
})
export class BankModule {}
// #endregion producer

// #region consumer
@Controller()
export class NotificationsController {
  constructor(private readonly inbox: EventInbox) {}

  @EventPattern('bank.events')
  async onBankEvent(@Payload() message: object, @Ctx() ctx: unknown /* RmqContext */) {
    // At most once per handler name: the inbox row and your writes commit in one transaction;
    // with RabbitMQ (noAck: false) the message is acknowledged after that commit.
    await this.inbox.handle(
      'notifications',
      message,
      async (event, { manager, envelope }) => {
        if (event instanceof MoneyDeposited) {
          await manager!.query('INSERT INTO notifications (event_id, text) VALUES ($1, $2)', [
            envelope.eventId,
            `${event.amount} deposited`,
          ]);
        }
      },
      ctx,
    );
  }
}

@Module({
  imports: [EventSourcingModule.forRoot({ type: 'postgres', url: process.env.NOTIFY_DB_URL })],
  controllers: [NotificationsController],
  providers: [provideEventInbox({ events: [MoneyDeposited] })],
})
export class NotificationsModule {}
// main.ts: app.connectMicroservice({ transport: Transport.RMQ,
//   options: { urls, queue: 'bank-events', noAck: false, prefetchCount: 1 } })
// #endregion consumer
