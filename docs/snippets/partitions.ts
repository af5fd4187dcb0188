import { In } from 'typeorm';
import {
  Projection,
  ProjectionHandler,
  ProjectionReset,
  type ProjectionManager,
  type ProjectionContext,
  type ProjectionHookContext,
} from 'nestjs-event-sourcing';
import { OrderPlaced, OrderShipped } from './tour-aggregate.js';
import { OrderSummary } from './tour-projection.js';

// #region projection
@Projection('order_summary_by_stream', { partitionBy: 'stream', partitions: 8 })
// or: partitionBy: (e) => (e.data as { customerId: string }).customerId
export class PartitionedOrderSummaryProjection {
  @ProjectionHandler(OrderPlaced)
  async placed(event: OrderPlaced, ctx: ProjectionContext) {
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

  @ProjectionReset() // once for the whole projection, or for one bucket with ctx.partition
  async reset({ manager, partition }: ProjectionHookContext) {
    if (!partition) return manager!.clear(OrderSummary);
    const rows = await manager!.find(OrderSummary, { select: { id: true } });
    const mine = rows.filter((row) => partition.owns(`order-${row.id}`)).map((row) => row.id);
    if (mine.length) await manager!.delete(OrderSummary, { id: In(mine) });
  }
}
// #endregion projection

export async function operate(projections: ProjectionManager): Promise<void> {
  // #region operate
  const [status] = await projections.status(); // status.partitions: each bucket; status.parked
  for (const parked of await projections.parked('order_summary_by_stream')) {
    console.log(parked.key, parked.eventType, parked.version, parked.error, parked.attempts);
  }
  // after the fix: 'resolved' | 'failed' (still parked) | 'requested' (another instance holds it)
  const outcome = await projections.retryPartition('order_summary_by_stream', 'order-42');
  await projections.rebuild('order_summary_by_stream', { partition: 3 }); // one bucket
  await projections.rebuild('order_summary_by_stream'); // every bucket, reset hook once
  // #endregion operate
  console.log(status, outcome);
}
