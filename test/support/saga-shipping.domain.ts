/**
 * A process manager for the saga tests: shipping an order once it is placed, paid and packed,
 * cancelling it when the payment does not come within 15 minutes (a timeout event back to the
 * saga) or when it is paid but not packed within 2 days (a scheduled command). Its commands land
 * in Shipment aggregates, so the tests read what was sent from the store.
 */
import { Module, type DynamicModule } from '@nestjs/common';
import { CommandHandler, CqrsModule, type ICommandHandler } from '@nestjs/cqrs';
import type { DataSource } from 'typeorm';
import {
  Aggregate,
  DomainCommand,
  DomainEvent,
  EventSourcedAggregate,
  EventSourcedSaga,
  EventSourcingHandler,
  EventSourcingModule,
  InjectAggregateRepository,
  ProcessManager,
  SagaHandler,
  SagaStart,
  type AggregateRepository,
  type EventSourcingModuleOptions,
  type SagaContext,
} from '../../lib/index.js';

// Events of the shop (in the global log)
@DomainEvent('shop.order_placed')
export class OrderPlaced {
  constructor(
    readonly orderId: string,
    readonly total: number,
  ) {}
}
@DomainEvent('shop.payment_received')
export class PaymentReceived {
  constructor(
    readonly orderId: string,
    readonly amount: number,
  ) {}
}
/** Carries no order id: it correlates by the correlation id in its metadata. */
@DomainEvent('shop.order_packed')
export class OrderPacked {
  constructor(readonly parcelId: string) {}
}

// The saga's own events (in its streams) and its timeout
@DomainEvent('shipping.started')
export class ShippingStarted {
  constructor(
    readonly orderId: string,
    readonly total: number,
  ) {}
}
@DomainEvent('shipping.paid')
export class ShippingPaid {
  constructor(readonly amount: number) {}
}
@DomainEvent('shipping.packed')
export class ShippingPacked {
  constructor(readonly parcelId: string) {}
}
@DomainEvent('shipping.cancelled')
export class ShippingCancelled {
  constructor(readonly reason: string) {}
}
@DomainEvent('shipping.payment_timed_out')
export class PaymentTimedOut {
  constructor(readonly orderId: string) {}
}

// Commands
@DomainCommand('shop.ship_order')
export class ShipOrder {
  constructor(
    readonly orderId: string,
    readonly parcelId: string,
  ) {}
}
@DomainCommand('shop.cancel_order')
export class CancelOrder {
  constructor(
    readonly orderId: string,
    readonly reason: string,
  ) {}
}

@EventSourcedSaga('shipping', { pollIntervalMs: 20, maxAttempts: 2, backoffMs: 5 })
export class ShippingSaga extends ProcessManager {
  status: 'awaiting-payment' | 'paid' | 'packed' | 'cancelled' = 'awaiting-payment';
  orderId = '';
  total = 0;
  paid = 0;
  parcelId: string | undefined;
  reason: string | undefined;

  @SagaStart(OrderPlaced, { correlateBy: 'orderId' })
  placed(event: OrderPlaced, ctx: SagaContext) {
    this.apply(new ShippingStarted(event.orderId, event.total));
    ctx.schedule(new PaymentTimedOut(event.orderId), { after: '15m', key: 'payment' });
  }

  @SagaHandler(PaymentReceived, { correlateBy: (event) => event.orderId })
  received(event: PaymentReceived, ctx: SagaContext) {
    if (this.status !== 'awaiting-payment') return;
    this.apply(new ShippingPaid(event.amount));
    ctx.cancelScheduled('payment');
    ctx.schedule(new CancelOrder(this.orderId, 'not packed in time'), {
      after: '2d',
      key: 'packing',
    });
  }

  @SagaHandler(OrderPacked)
  packed(event: OrderPacked, ctx: SagaContext) {
    if (this.status !== 'paid') return;
    this.apply(new ShippingPacked(event.parcelId));
    ctx.cancelScheduled('packing');
    return new ShipOrder(this.orderId, event.parcelId);
  }

  @SagaHandler(PaymentTimedOut)
  timedOut(_event: PaymentTimedOut) {
    if (this.status !== 'awaiting-payment') return;
    this.apply(new ShippingCancelled('payment timed out'));
    return [new CancelOrder(this.orderId, 'payment timed out')];
  }

  @EventSourcingHandler(ShippingStarted)
  onStarted(event: ShippingStarted) {
    this.orderId = event.orderId;
    this.total = event.total;
  }
  @EventSourcingHandler(ShippingPaid)
  onPaid(event: ShippingPaid) {
    this.status = 'paid';
    this.paid = event.amount;
  }
  @EventSourcingHandler(ShippingPacked)
  onPacked(event: ShippingPacked) {
    this.status = 'packed';
    this.parcelId = event.parcelId;
  }
  @EventSourcingHandler(ShippingCancelled)
  onCancelled(event: ShippingCancelled) {
    this.status = 'cancelled';
    this.reason = event.reason;
  }
}

// Where the commands land
@DomainEvent('shipment.shipped')
export class ShipmentShipped {
  constructor(readonly parcelId: string) {}
}
@DomainEvent('shipment.cancelled')
export class ShipmentCancelled {
  constructor(readonly reason: string) {}
}

@Aggregate('shipment')
export class Shipment extends EventSourcedAggregate {
  log: string[] = [];
  ship(parcelId: string) {
    this.apply(new ShipmentShipped(parcelId));
  }
  cancel(reason: string) {
    this.apply(new ShipmentCancelled(reason));
  }
  @EventSourcingHandler(ShipmentShipped)
  onShipped(event: ShipmentShipped) {
    this.log.push(`shipped ${event.parcelId}`);
  }
  @EventSourcingHandler(ShipmentCancelled)
  onCancelled(event: ShipmentCancelled) {
    this.log.push(`cancelled: ${event.reason}`);
  }
}

@CommandHandler(ShipOrder)
export class ShipOrderHandler implements ICommandHandler<ShipOrder> {
  constructor(
    @InjectAggregateRepository(Shipment) private readonly shipments: AggregateRepository<Shipment>,
  ) {}
  async execute(command: ShipOrder) {
    const shipment = (await this.shipments.find(command.orderId)) ?? new Shipment(command.orderId);
    shipment.ship(command.parcelId);
    await this.shipments.save(shipment);
  }
}

@CommandHandler(CancelOrder)
export class CancelOrderHandler implements ICommandHandler<CancelOrder> {
  constructor(
    @InjectAggregateRepository(Shipment) private readonly shipments: AggregateRepository<Shipment>,
  ) {}
  async execute(command: CancelOrder) {
    const shipment = (await this.shipments.find(command.orderId)) ?? new Shipment(command.orderId);
    shipment.cancel(command.reason);
    await this.shipments.save(shipment);
  }
}

@Module({})
class ShippingTestAppModule {}

/** The application of the process-manager tests. */
export function shippingTestModule(
  store: { dataSource: DataSource; schema: string | undefined } | { type: 'memory' },
  options: Pick<EventSourcingModuleOptions, 'workers'> = {},
): DynamicModule {
  const root: EventSourcingModuleOptions =
    'dataSource' in store
      ? { dataSource: store.dataSource, schema: store.schema, ...options }
      : { type: 'memory', ...options };
  return {
    module: ShippingTestAppModule,
    imports: [
      CqrsModule.forRoot(),
      EventSourcingModule.forRoot(root),
      EventSourcingModule.forFeature([Shipment]),
    ],
    providers: [ShippingSaga, ShipOrderHandler, CancelOrderHandler],
  };
}
