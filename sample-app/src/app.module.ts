import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { getDataSourceToken, TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { EventSourcingModule } from 'nestjs-event-sourcing';
import type { DataSource } from 'typeorm';
import { AccountsModule } from './accounts/accounts.module.js';
import type { SampleDatabase } from './database-options.js';
import { TransfersModule } from './transfers/transfers.module.js';
import { HealthModule } from './health/health.module.js';
import { bankForwarding } from './forwarding/bank-forwarding.module.js';
import { AccountBalance } from './read-models/account-balance.entity.js';
import { AccountTransaction } from './read-models/account-transaction.entity.js';

@Module({})
export class AppModule {
  static forRoot(db: SampleDatabase): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // One DataSource for the app's read models and the event store: one pool, and read models
        // can be written in the same transaction as events.
        TypeOrmModule.forRoot({
          ...typeOrmOptions(db),
          entities: [AccountBalance, AccountTransaction],
          synchronize: true,
        }),
        CqrsModule.forRoot(),
        EventSourcingModule.forRootAsync({
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) => ({
            dataSource,
            schema: db.schema,
            workers: db.workers ?? true,
          }),
        }),
        AccountsModule,
        TransfersModule,
        HealthModule,
        ...(db.broker ? [bankForwarding(db.broker)] : []),
      ],
    };
  }
}

function typeOrmOptions(db: SampleDatabase): TypeOrmModuleOptions {
  if (db.type === 'better-sqlite3') {
    return { type: 'better-sqlite3', database: db.database ?? ':memory:', enableWAL: true };
  }
  if (db.type === 'postgres') return { type: 'postgres', url: db.url, schema: db.schema };
  return { type: 'mariadb', url: db.url };
}
