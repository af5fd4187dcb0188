import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  Aggregate,
  DomainEvent,
  EventSourcedAggregate,
  EventSourcingHandler,
  InjectAggregateRepository,
  type AggregateRepository,
} from 'nestjs-event-sourcing';

// #region events
@DomainEvent('shop.order-placed') // the stored type name: stable, never the class name
export class OrderPlaced {
  constructor(
    readonly orderId: string,
    readonly total: number,
  ) {}
}

@DomainEvent('shop.order-shipped')
export class OrderShipped {
  constructor(
    readonly orderId: string,
    readonly carrier: string,
  ) {}
}
// #endregion events

// #region domain-error
/** A business rule refused the command: understood, but it cannot be done (HTTP 422). */
export class DomainRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
// #endregion domain-error

// #region aggregate
@Aggregate('order') // the stream category: order 42 lives in stream "order-42"
export class Order extends EventSourcedAggregate {
  status: 'placed' | 'shipped' = 'placed';
  total = 0;

  static place(id: string, total: number): Order {
    if (total <= 0) throw new DomainRuleError('an order needs a positive total');
    const order = new Order(id);
    order.apply(new OrderPlaced(id, total));
    return order;
  }

  ship(carrier: string): void {
    if (this.status === 'shipped') throw new DomainRuleError(`order ${this.id} is already shipped`);
    this.apply(new OrderShipped(this.id, carrier)); // command methods check, then apply
  }

  @EventSourcingHandler(OrderPlaced) // state changes only here: for new events and on replay
  onPlaced(event: OrderPlaced): void {
    this.total = event.total;
  }

  @EventSourcingHandler(OrderShipped)
  onShipped(): void {
    this.status = 'shipped';
  }
}
// #endregion aggregate

// #region handler
export class PlaceOrder {
  constructor(
    readonly orderId: string,
    readonly total: number,
  ) {}
}

export class ShipOrder {
  constructor(
    readonly orderId: string,
    readonly carrier: string,
  ) {}
}

@CommandHandler(PlaceOrder)
export class PlaceOrderHandler implements ICommandHandler<PlaceOrder> {
  constructor(
    @InjectAggregateRepository(Order) private readonly orders: AggregateRepository<Order>,
  ) {}

  async execute({ orderId, total }: PlaceOrder): Promise<void> {
    await this.orders.save(Order.place(orderId, total)); // a new stream: ConcurrencyError if it exists
  }
}

@CommandHandler(ShipOrder)
export class ShipOrderHandler implements ICommandHandler<ShipOrder> {
  constructor(
    @InjectAggregateRepository(Order) private readonly orders: AggregateRepository<Order>,
  ) {}

  async execute({ orderId, carrier }: ShipOrder): Promise<void> {
    const order = await this.orders.load(orderId); // AggregateNotFoundError if absent; find() returns undefined
    order.ship(carrier);
    await this.orders.save(order); // ConcurrencyError if another writer saved first
  }
}
// #endregion handler
