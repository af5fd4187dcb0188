import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import {
  CorrelationIdInterceptor,
  EventSourcingExceptionFilter,
  EventSourcingModule,
} from 'nestjs-event-sourcing';
import { Order, PlaceOrderHandler, ShipOrderHandler } from './tour-aggregate.js';
import { DomainRuleFilter, OrdersController } from './tour-http.js';
import { OrderSummary, OrderSummaryProjection } from './tour-projection.js';
import { OrderSagas, Reservation, ReserveStockHandler } from './tour-saga.js';

// #region shop-module
@Module({
  imports: [EventSourcingModule.forFeature([Order, Reservation])], // @InjectAggregateRepository(...)
  controllers: [OrdersController],
  providers: [
    PlaceOrderHandler,
    ShipOrderHandler,
    ReserveStockHandler,
    OrderSummaryProjection, // projections and sagas are providers: found at startup
    OrderSagas,
  ],
})
export class ShopModule {}
// #endregion shop-module

// #region app-module
@Module({
  imports: [
    CqrsModule.forRoot(),
    EventSourcingModule.forRoot({
      type: 'postgres',
      url: process.env.DATABASE_URL,
      entities: [OrderSummary], // the read models projections write through ctx.manager
      synchronize: true, // creates their tables: for development; use migrations in production
    }),
    ShopModule,
  ],
})
export class AppModule {}
// #endregion app-module

// #region main
export function configure(app: INestApplication): INestApplication {
  app.useGlobalFilters(new EventSourcingExceptionFilter(), new DomainRuleFilter()); // 404/409/400, 422
  app.useGlobalInterceptors(new CorrelationIdInterceptor()); // x-correlation-id on every event
  app.enableShutdownHooks(); // workers finish their batch, the connection closes
  return app;
}

export async function bootstrap(): Promise<void> {
  const app = configure(await NestFactory.create(AppModule));
  await app.listen(3000);
}
// #endregion main
