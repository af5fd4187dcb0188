import { Test } from '@nestjs/testing';
import {
  EVENT_STORE_DATA_SOURCE,
  getAggregateRepositoryToken,
  ProjectionManager,
  type AggregateRepository,
} from 'nestjs-event-sourcing';
import { EventSourcingTestingModule, forAggregate } from 'nestjs-event-sourcing/testing';
import type { DataSource } from 'typeorm';
import {
  DomainRuleError,
  Order,
  OrderPlaced,
  OrderShipped,
  PlaceOrderHandler,
  ShipOrderHandler,
} from './tour-aggregate.js';
import { OrderSummary, OrderSummaryProjection } from './tour-projection.js';

export async function examples() {
  // #region fixture
  forAggregate(Order, '42')
    .given([new OrderPlaced('42', 10)])
    .when((order) => order.ship('ups'))
    .then([new OrderShipped('42', 'ups')]);

  forAggregate(Order, '42')
    .given([new OrderPlaced('42', 10), new OrderShipped('42', 'ups')])
    .when((order) => order.ship('dhl'))
    .thenThrows(DomainRuleError, 'already shipped');
  // #endregion fixture

  // #region testing-module
  const moduleRef = await Test.createTestingModule({
    imports: [EventSourcingTestingModule.forRoot({ aggregates: [Order] })], // in-memory store
    providers: [ShipOrderHandler],
  }).compile();
  const orders = moduleRef.get<AggregateRepository<Order>>(getAggregateRepositoryToken(Order));
  // #endregion testing-module
  await moduleRef.close();
  return orders;
}

/** A projection test as the README shows it: no server, an in-memory SQLite database. */
export async function projectionExample(): Promise<OrderSummary | null> {
  // #region projection-test
  const moduleRef = await Test.createTestingModule({
    imports: [
      // entities: an in-memory SQLite store, so ctx.manager writes real tables; no server needed
      EventSourcingTestingModule.forRoot({ aggregates: [Order], entities: [OrderSummary] }),
    ],
    providers: [OrderSummaryProjection, PlaceOrderHandler],
  }).compile();
  const app = await moduleRef.init(); // starts the projection's worker

  const orders = app.get<AggregateRepository<Order>>(getAggregateRepositoryToken(Order));
  await orders.save(Order.place('42', 10));
  await app.get(ProjectionManager).waitForCatchUp('order_summary');

  const dataSource = app.get<DataSource>(EVENT_STORE_DATA_SOURCE);
  const summary = await dataSource.getRepository(OrderSummary).findOneBy({ id: '42' });
  // expect(summary).toEqual({ id: '42', total: 10, status: 'placed' });
  await app.close();
  // #endregion projection-test
  return summary;
}
