import { Test } from '@nestjs/testing';
import { getAggregateRepositoryToken, type AggregateRepository } from 'nestjs-event-sourcing';
import { EventSourcingTestingModule, forAggregate } from 'nestjs-event-sourcing/testing';
import { Order, OrderPlaced, OrderShipped, ShipOrderHandler } from './tour-aggregate.js';

export async function examples() {
  // #region fixture
  forAggregate(Order, '42')
    .given([new OrderPlaced('42', 10)])
    .when((order) => order.ship('ups'))
    .then([new OrderShipped('42', 'ups')]);

  forAggregate(Order, '42')
    .given([new OrderPlaced('42', 10), new OrderShipped('42', 'ups')])
    .when((order) => order.ship('dhl'))
    .thenThrows(Error, 'already shipped');
  // #endregion fixture

  // #region testing-module
  const moduleRef = await Test.createTestingModule({
    imports: [EventSourcingTestingModule.forRoot({ aggregates: [Order] })], // in-memory store
    providers: [ShipOrderHandler],
  }).compile();
  const orders = moduleRef.get<AggregateRepository<Order>>(getAggregateRepositoryToken(Order));
  // #endregion testing-module
  return orders;
}
