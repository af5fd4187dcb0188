/**
 * A process manager for the saga tests: shipping an order once it is placed, paid and packed,
 * cancelling it when the payment does not come within 15 minutes (a timeout event back to the
 * saga) or when it is paid but not packed within 2 days (a scheduled command). Its commands land
 * in Shipment aggregates, so the tests read what was sent from the store.
 */
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
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
/** A payment that came after the saga gave up was given back (the compensation). */
@DomainEvent('shipping.refunded')
export class ShippingRefunded {
  constructor(readonly amount: number) {}
}
@DomainEvent('shipping.payment_timed_out')
export class PaymentTimedOut {
  constructor(readonly orderId: string) {}
}

// Commands
@DomainCommand('shop.refund_payment')
export class RefundPayment {
  constructor(
    readonly orderId: string,
    readonly amount: number,
  ) {}
}
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

@EventSourcedSaga('shipping', {
  pollIntervalMs: 20,
  maxAttempts: 2,
  backoffMs: 5,
  leaseTtlMs: 1500,
})
export class ShippingSaga extends ProcessManager {
  status: 'awaiting-payment' | 'paid' | 'packed' | 'cancelled' | 'refunded' = 'awaiting-payment';
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
    // Committed after the timeout fired: it still comes, and is compensated.
    if (this.status === 'cancelled') {
      this.apply(new ShippingRefunded(event.amount));
      return new RefundPayment(this.orderId, event.amount);
    }
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
  @EventSourcingHandler(ShippingRefunded)
  onRefunded() {
    this.status = 'refunded';
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
@DomainEvent('shipment.refunded')
export class ShipmentRefunded {
  constructor(readonly amount: number) {}
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
  refund(amount: number) {
    this.apply(new ShipmentRefunded(amount));
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

/** Lets a test hold the saga's worker inside a ShipOrder command, so the saga lags. */
@Injectable()
export class ShippingGate {
  closed: Promise<void> | undefined;
}

@CommandHandler(ShipOrder)
export class ShipOrderHandler implements ICommandHandler<ShipOrder> {
  constructor(
    @InjectAggregateRepository(Shipment) private readonly shipments: AggregateRepository<Shipment>,
    private readonly gate: ShippingGate,
  ) {}
  async execute(command: ShipOrder) {
    await this.gate.closed;
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

@CommandHandler(RefundPayment)
export class RefundPaymentHandler implements ICommandHandler<RefundPayment> {
  constructor(
    @InjectAggregateRepository(Shipment) private readonly shipments: AggregateRepository<Shipment>,
  ) {}
  async execute(command: RefundPayment) {
    const shipment = (await this.shipments.find(command.orderId)) ?? new Shipment(command.orderId);
    shipment.refund(command.amount);
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
    providers: [
      ShippingGate,
      ShippingSaga,
      ShipOrderHandler,
      CancelOrderHandler,
      RefundPaymentHandler,
    ],
  };
}
