import { Column, Entity, PrimaryColumn } from 'typeorm';
import {
  Projection,
  ProjectionHandler,
  ProjectionReset,
  type ProjectionContext,
  type ProjectionHookContext,
} from 'nestjs-event-sourcing';
import { OrderPlaced, OrderShipped } from './tour-aggregate.js';

// #region projection
@Entity('order_summaries')
export class OrderSummary {
  @PrimaryColumn() id!: string;
  @Column('int') total!: number;
  @Column() status!: string;
}

@Projection('order_summary') // async: a worker follows the log; { mode: 'inline' } runs in the append
export class OrderSummaryProjection {
  @ProjectionHandler(OrderPlaced)
  async placed(event: OrderPlaced, ctx: ProjectionContext) {
    // ctx.manager is the batch's transaction: these rows commit together with the checkpoint
    await ctx.manager!.insert(OrderSummary, {
      id: event.orderId,
      total: event.total,
      status: 'placed',
    });
  }

  @ProjectionHandler(OrderShipped)
  async shipped(event: OrderShipped, ctx: ProjectionContext) {
    await ctx.manager!.update(OrderSummary, { id: event.orderId }, { status: 'shipped' });
  }

  @ProjectionReset() // before a rebuild replays every event
  async reset({ manager }: ProjectionHookContext) {
    await manager!.clear(OrderSummary);
  }
}
// #endregion projection
