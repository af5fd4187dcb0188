/**
 * The application of the saga metadata tests: an order placed in a request with user metadata
 * goes through a durable saga (to a request-scoped command handler), then a process manager that
 * sends a command and schedules a timeout whose command closes the order. Every event down the
 * chain should carry the request's metadata.
 */
import { Injectable, Module, Scope, type DynamicModule } from '@nestjs/common';
import {
  CommandHandler,
  CqrsModule,
  ofType,
  type ICommandHandler,
  type IEvent,
} from '@nestjs/cqrs';
import { map, type Observable } from 'rxjs';
import type { DataSource } from 'typeorm';
import {
  Aggregate,
  DomainCommand,
  DomainEvent,
  DurableSaga,
  EventSourcedAggregate,
  EventSourcedSaga,
  EventSourcingHandler,
  EventSourcingModule,
  InjectAggregateRepository,
  ProcessManager,
  SagaHandler,
  SagaStart,
  type AggregateRepository,
  type SagaContext,
} from '../../lib/index.js';

@DomainEvent('meta.order_placed')
export class OrderPlaced {
  constructor(readonly orderId: string) {}
}
@DomainEvent('meta.order_closed')
export class OrderClosed {
  constructor(readonly orderId: string) {}
}
@DomainEvent('meta.stock_reserved')
export class StockReserved {
  constructor(readonly orderId: string) {}
}
@DomainEvent('meta.parcel_shipped')
export class ParcelShipped {
  constructor(readonly orderId: string) {}
}
@DomainEvent('meta.delivery_started')
export class DeliveryStarted {
  constructor(readonly orderId: string) {}
}
@DomainEvent('meta.delivery_timed_out')
export class DeliveryTimedOut {
  constructor(readonly orderId: string) {}
}

@DomainCommand('meta.reserve_stock')
export class ReserveStock {
  constructor(readonly orderId: string) {}
}
@DomainCommand('meta.ship_parcel')
export class ShipParcel {
  constructor(readonly orderId: string) {}
}
@DomainCommand('meta.close_order')
export class CloseOrder {
  constructor(readonly orderId: string) {}
}
export class PlaceOrder {
  constructor(readonly orderId: string) {}
}

@Aggregate('meta_order')
export class Order extends EventSourcedAggregate {
  closed = false;
  place() {
    this.apply(new OrderPlaced(this.id));
  }
  close() {
    if (!this.closed) this.apply(new OrderClosed(this.id));
  }
  @EventSourcingHandler(OrderClosed)
  onClosed() {
    this.closed = true;
  }
}

/** Records of the other steps, one aggregate each. */
@Aggregate('meta_step')
export class Step extends EventSourcedAggregate {
  record(event: object) {
    this.apply(event);
  }
}

@CommandHandler(PlaceOrder)
export class PlaceOrderHandler implements ICommandHandler<PlaceOrder> {
  constructor(
    @InjectAggregateRepository(Order) private readonly orders: AggregateRepository<Order>,
  ) {}
  async execute({ orderId }: PlaceOrder) {
    const order = new Order(orderId);
    order.place();
    await this.orders.save(order);
  }
}

/** Request-scoped: the CommandBus creates one per command. */
@Injectable({ scope: Scope.REQUEST })
@CommandHandler(ReserveStock)
export class ReserveStockHandler implements ICommandHandler<ReserveStock> {
  constructor(@InjectAggregateRepository(Step) private readonly steps: AggregateRepository<Step>) {}
  async execute({ orderId }: ReserveStock) {
    const step = new Step(`stock-${orderId}`);
    step.record(new StockReserved(orderId));
    await this.steps.save(step);
  }
}

@CommandHandler(ShipParcel)
export class ShipParcelHandler implements ICommandHandler<ShipParcel> {
  constructor(@InjectAggregateRepository(Step) private readonly steps: AggregateRepository<Step>) {}
  async execute({ orderId }: ShipParcel) {
    const step = new Step(`parcel-${orderId}`);
    step.record(new ParcelShipped(orderId));
    await this.steps.save(step);
  }
}

@CommandHandler(CloseOrder)
export class CloseOrderHandler implements ICommandHandler<CloseOrder> {
  constructor(
    @InjectAggregateRepository(Order) private readonly orders: AggregateRepository<Order>,
  ) {}
  async execute({ orderId }: CloseOrder) {
    const order = await this.orders.load(orderId);
    order.close();
    await this.orders.save(order);
  }
}

@Injectable()
export class ReservationSaga {
  @DurableSaga('meta_reservation', { events: [OrderPlaced], pollIntervalMs: 20 })
  reserve = (events$: Observable<IEvent>) =>
    events$.pipe(
      ofType(OrderPlaced),
      map((event) => new ReserveStock(event.orderId)),
    );
}

@EventSourcedSaga('meta_delivery', { pollIntervalMs: 20, maxAttempts: 2, backoffMs: 5 })
export class DeliverySaga extends ProcessManager {
  @SagaStart(StockReserved, { correlateBy: 'orderId' })
  reserved(event: StockReserved, ctx: SagaContext) {
    this.apply(new DeliveryStarted(event.orderId));
    ctx.schedule(new DeliveryTimedOut(event.orderId), { after: '1h', key: 'deliver' });
    return new ShipParcel(event.orderId);
  }

  @SagaHandler(DeliveryTimedOut, { correlateBy: 'orderId' })
  timedOut(event: DeliveryTimedOut, ctx: SagaContext) {
    ctx.schedule(new CloseOrder(event.orderId), { after: '1m' });
  }

  @EventSourcingHandler(DeliveryStarted)
  onStarted() {}
}

@Module({})
class MetadataTestAppModule {}

export function metadataTestModule(
  store: { dataSource: DataSource; schema: string | undefined } | { type: 'memory' },
): DynamicModule {
  return {
    module: MetadataTestAppModule,
    imports: [
      CqrsModule.forRoot(),
      EventSourcingModule.forRoot(
        'dataSource' in store ? { dataSource: store.dataSource, schema: store.schema } : store,
      ),
      EventSourcingModule.forFeature([Order, Step]),
    ],
    providers: [
      PlaceOrderHandler,
      ReserveStockHandler,
      ShipParcelHandler,
      CloseOrderHandler,
      ReservationSaga,
      DeliverySaga,
    ],
  };
}
