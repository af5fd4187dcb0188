// A fresh application as a user writes it, against the installed tarball (not the repository's
// sources): the README's shortest wiring, a projection writing an entity through ctx.manager.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import {
  Aggregate,
  DomainEvent,
  EventSourcedAggregate,
  EventSourcingHandler,
  EventSourcingModule,
  Projection,
  ProjectionHandler,
  type ProjectionContext,
} from 'nestjs-event-sourcing';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@DomainEvent('shop.order-placed')
export class OrderPlaced {
  constructor(
    readonly orderId: string,
    readonly total: number,
  ) {}
}

@Aggregate('order')
export class Order extends EventSourcedAggregate {
  total = 0;

  static place(id: string, total: number): Order {
    const order = new Order(id);
    order.apply(new OrderPlaced(id, total));
    return order;
  }

  @EventSourcingHandler(OrderPlaced)
  onPlaced(event: OrderPlaced): void {
    this.total = event.total;
  }
}

@Entity('order_summaries')
export class OrderSummary {
  @PrimaryColumn() id!: string;
  @Column('int') total!: number;
}

@Projection('order_summary')
export class OrderSummaryProjection {
  @ProjectionHandler(OrderPlaced)
  async placed(event: OrderPlaced, ctx: ProjectionContext) {
    await ctx.manager!.insert(OrderSummary, { id: event.orderId, total: event.total });
  }
}

@Module({
  imports: [
    CqrsModule.forRoot(),
    EventSourcingModule.forRoot({
      type: 'better-sqlite3',
      database: process.env.SQLITE_FILE ?? 'data.sqlite',
      entities: [OrderSummary],
      synchronize: true,
    }),
    EventSourcingModule.forFeature([Order]),
  ],
  providers: [OrderSummaryProjection],
})
export class AppModule {}

@Module({
  imports: [
    CqrsModule.forRoot(),
    EventSourcingModule.forRoot({ type: 'postgres', url: 'postgres://127.0.0.1/none' }),
  ],
})
export class PostgresAppModule {}
