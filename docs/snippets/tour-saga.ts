import { Injectable } from '@nestjs/common';
import { CommandHandler, ofType, type ICommandHandler, type IEvent } from '@nestjs/cqrs';
import {
  Aggregate,
  DomainCommand,
  DomainEvent,
  DurableSaga,
  EventSourcedAggregate,
  EventSourcedSaga,
  EventSourcingHandler,
  InjectAggregateRepository,
  ProcessManager,
  SagaHandler,
  SagaStart,
  type AggregateRepository,
  type SagaContext,
} from 'nestjs-event-sourcing';
import { map, type Observable } from 'rxjs';
import { OrderPlaced, OrderShipped, ShipOrder } from './tour-aggregate.js';

// #region durable-saga
@DomainEvent('shop.stock-reserved')
export class StockReserved {
  constructor(readonly orderId: string) {}
}

@Aggregate('reservation') // its own stream: the order's writers never race with the saga
export class Reservation extends EventSourcedAggregate {
  reserved = false;

  static reserve(orderId: string): Reservation {
    const reservation = new Reservation(orderId);
    reservation.apply(new StockReserved(orderId));
    return reservation;
  }

  @EventSourcingHandler(StockReserved)
  onReserved(): void {
    this.reserved = true;
  }
}

export class ReserveStock {
  constructor(readonly orderId: string) {}
}

@CommandHandler(ReserveStock)
export class ReserveStockHandler implements ICommandHandler<ReserveStock> {
  constructor(
    @InjectAggregateRepository(Reservation)
    private readonly reservations: AggregateRepository<Reservation>,
  ) {}

  async execute({ orderId }: ReserveStock): Promise<void> {
    // Delivered again after a crash, the same command saves nothing twice (deterministic ids).
    await this.reservations.save(Reservation.reserve(orderId));
  }
}

@Injectable()
export class OrderSagas {
  // Written like a @Saga() of @nestjs/cqrs, but fed from the event store with a checkpoint.
  @DurableSaga('order-fulfilment', { maxAttempts: 5 })
  fulfil = (events$: Observable<IEvent>) =>
    events$.pipe(
      ofType(OrderPlaced),
      map((event) => new ReserveStock(event.orderId)),
    );
}
// #endregion durable-saga

@DomainEvent('shop.payment-received')
export class PaymentReceived {
  constructor(readonly orderId: string) {}
}

@DomainCommand('shop.cancel-order')
export class CancelOrder {
  constructor(readonly orderId: string) {}
}

@DomainEvent('shop.shipping.started')
export class ShippingStarted {
  constructor(readonly orderId: string) {}
}

@DomainEvent('shop.shipping.paid')
export class ShippingPaid {}

@DomainEvent('shop.payment-timed-out')
export class PaymentTimedOut {
  constructor(readonly orderId: string) {}
}

// #region process-manager
@EventSourcedSaga('shipping') // instance 42 lives in stream "saga.shipping-42"
export class ShippingProcess extends ProcessManager {
  paid = false;
  orderId = '';

  @SagaStart(OrderPlaced, { correlateBy: 'orderId' })
  placed(event: OrderPlaced, ctx: SagaContext) {
    this.apply(new ShippingStarted(event.orderId));
    // Stored with the saga's events; delivered even if the app restarts in between.
    ctx.schedule(new PaymentTimedOut(event.orderId), { after: '15m', key: 'payment' });
  }

  @SagaHandler(PaymentReceived, { correlateBy: (event) => event.orderId })
  paymentReceived(_event: PaymentReceived, ctx: SagaContext) {
    if (this.paid) return;
    this.apply(new ShippingPaid());
    ctx.cancelScheduled('payment');
    return new ShipOrder(this.orderId, 'ups'); // sent through the CommandBus once the saga's events are stored
  }

  @SagaHandler(PaymentTimedOut, { correlateBy: 'orderId' }) // the timeout comes back here
  timedOut() {
    if (!this.paid) return new CancelOrder(this.orderId);
  }

  @SagaHandler(OrderShipped, { correlateBy: 'orderId' })
  shipped() {}

  @EventSourcingHandler(ShippingStarted)
  onStarted(event: ShippingStarted) {
    this.orderId = event.orderId;
  }

  @EventSourcingHandler(ShippingPaid)
  onPaid() {
    this.paid = true;
  }
}
// #endregion process-manager
