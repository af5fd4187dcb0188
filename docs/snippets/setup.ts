import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { EventSourcingModule } from 'nestjs-event-sourcing';
import type { DataSource } from 'typeorm';

// #region shared-datasource
@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: process.env.DATABASE_URL,
      autoLoadEntities: true,
    }),
    CqrsModule.forRoot(),
    // One pool for your entities and the events; both can commit in one transaction.
    EventSourcingModule.forRootAsync({
      inject: [getDataSourceToken()],
      useFactory: (dataSource: DataSource) => ({ dataSource }),
    }),
  ],
})
export class AppModule {}
// #endregion shared-datasource
