import { Module, type DynamicModule } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { EventSourcingModule, provideEventInbox } from 'nestjs-event-sourcing';
import type { DataSource } from 'typeorm';
import {
  AccountClosed,
  AccountOpened,
  MoneyDeposited,
  MoneyWithdrawn,
} from '../accounts/account.events.js';
import { MoneyDepositedV1Upcaster } from '../accounts/money-deposited.upcaster.js';
import { Notification } from './notification.entity.js';
import { NotificationsController } from './notifications.controller.js';

/**
 * The second service of the sample: it owns its own database (notifications and the inbox) and
 * learns about the bank only through forwarded events.
 */
@Module({})
export class NotificationsModule {
  static forRoot(database: string): DynamicModule {
    return {
      module: NotificationsModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'better-sqlite3',
          database,
          enableWAL: true,
          entities: [Notification],
          synchronize: true,
        }),
        EventSourcingModule.forRootAsync({
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) => ({
            dataSource,
            workers: false,
          }),
        }),
      ],
      controllers: [NotificationsController],
      providers: [
        // A v1 deposit forwarded from an old stream is upcast here too (metadata eventVersion).
        MoneyDepositedV1Upcaster,
        provideEventInbox({
          events: [AccountOpened, MoneyDeposited, MoneyWithdrawn, AccountClosed],
        }),
      ],
    };
  }
}
