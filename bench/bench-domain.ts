// The aggregates, events and projections the aggregate and projection benchmarks run through a
// Nest application context (copied in spirit from test/support: bench/ does not import from test/).
import { performance } from 'node:perf_hooks';
import {
  Aggregate,
  DomainEvent,
  EventSourcedAggregate,
  EventSourcingHandler,
  Projection,
  ProjectionHandler,
  ProjectionInit,
  ProjectionReset,
  type ProjectionContext,
  type ProjectionHookContext,
} from '../lib/index.js';

// ---------------------------------------------------------------------------------------------
// Aggregates

@DomainEvent('bench.deposited')
export class Deposited {
  constructor(
    readonly accountId: string,
    readonly amount: number,
    readonly currency: string,
    readonly reference: string,
  ) {}
}

/** An account: its state is the balance and the number of deposits. */
export abstract class BenchAccount extends EventSourcedAggregate {
  balance = 0;
  deposits = 0;

  deposit(amount: number, reference: string): void {
    this.apply(new Deposited(this.id, amount, 'EUR', reference));
  }

  @EventSourcingHandler(Deposited)
  deposited(event: Deposited): void {
    this.balance += event.amount;
    this.deposits++;
  }
}

/** Snapshotted every 100 events. */
@Aggregate('snapacct', { snapshotEvery: 100 })
export class SnapshottedAccount extends BenchAccount {}

/** No snapshots: every load reads the whole stream. */
@Aggregate('plainacct')
export class PlainAccount extends BenchAccount {}

/**
 * SQL of the `data` of the Deposited event numbered `g` of the account `accountId` (both SQL
 * expressions), as the library serialises it: the raw seeders write these rows.
 */
export function depositedDataSql(accountId: string, g: string): string {
  return `jsonb_build_object('accountId', ${accountId}, 'amount', (${g}) % 7 + 1, 'currency', 'EUR', 'reference', 'ref-' || (${g}))`;
}

// ---------------------------------------------------------------------------------------------
// Projections

@DomainEvent('bench.item-added')
export class ItemAdded {
  constructor(
    readonly orderId: string,
    readonly sku: string,
    readonly quantity: number,
    readonly price: number,
  ) {}
}

/** SQL of the `data` of an ItemAdded event numbered `g`, in stream `item-<g / 100>`. */
export function itemAddedDataSql(g: string): string {
  return `jsonb_build_object('orderId', 'order-' || ((${g}) / 100), 'sku', 'SKU-' || ((${g}) % 1000), 'quantity', (${g}) % 5 + 1, 'price', ((${g}) % 100) + 0.5)`;
}

/** The read model every catch-up implementation (library and raw) fills: one row per event. */
export function itemsTableSql(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  event_id UUID PRIMARY KEY,
  stream_id VARCHAR(255) NOT NULL,
  version INTEGER NOT NULL,
  sku VARCHAR(64) NOT NULL,
  quantity INTEGER NOT NULL,
  amount NUMERIC(12, 2) NOT NULL
)`;
}

export function insertItemSql(table: string): string {
  return `INSERT INTO ${table} (event_id, stream_id, version, sku, quantity, amount) VALUES ($1, $2, $3, $4, $5, $6)`;
}

/**
 * An async projection doing one INSERT per event through the batch's transaction. Subclasses
 * only set the batch size; `table` is set (schema-qualified) after the application starts.
 */
export abstract class ItemsProjection {
  table = '';
  handled = 0;

  @ProjectionInit()
  async init({ manager }: ProjectionHookContext) {
    await manager!.query(itemsTableSql(this.table));
  }

  @ProjectionReset()
  async reset({ manager }: ProjectionHookContext) {
    await manager!.query(`TRUNCATE ${this.table}`);
  }

  @ProjectionHandler(ItemAdded)
  async added(event: ItemAdded, ctx: ProjectionContext) {
    this.handled++;
    await ctx.manager!.query(insertItemSql(this.table), [
      ctx.eventId,
      ctx.streamId,
      ctx.version,
      event.sku,
      event.quantity,
      event.quantity * event.price,
    ]);
  }
}

@Projection('bench_items_b100', { batchSize: 100 })
export class ItemsProjectionB100 extends ItemsProjection {}

@Projection('bench_items_b1000', { batchSize: 1000 })
export class ItemsProjectionB1000 extends ItemsProjection {}

/**
 * The rebuild of the memory benchmark: no read-model writes (so a million events replay in
 * seconds, not minutes), only a running total and its JSON state, committed with each batch.
 */
@Projection('bench_rebuild', { batchSize: 1000 })
export class RebuildProjection {
  handled = 0;
  total = 0;

  @ProjectionReset()
  async reset() {
    this.handled = 0;
    this.total = 0;
  }

  @ProjectionHandler(ItemAdded)
  added(event: ItemAdded, ctx: ProjectionContext) {
    this.handled++;
    this.total += event.quantity * event.price;
    if (this.handled % 1000 === 0) ctx.setState({ handled: this.handled });
  }
}

// ---------------------------------------------------------------------------------------------
// Lag under a steady append load

@DomainEvent('bench.tick')
export class Ticked {
  constructor(
    readonly run: string,
    readonly seq: number,
  ) {}
}

/** One tick per new stream: a save is an append to a new stream (expected version no_stream). */
@Aggregate('ticker')
export class Ticker extends EventSourcedAggregate {
  ticks = 0;

  tick(run: string, seq: number): void {
    this.apply(new Ticked(run, seq));
  }

  @EventSourcingHandler(Ticked)
  ticked(): void {
    this.ticks++;
  }
}

/** Records when its handler first sees each tick of the current run (performance.now()). */
export abstract class LagProjection {
  run = '';
  seen = new Map<number, number>();

  @ProjectionHandler(Ticked)
  ticked(event: Ticked) {
    if (event.run === this.run && !this.seen.has(event.seq)) {
      this.seen.set(event.seq, performance.now());
    }
  }
}

/** Default poll interval (250 ms). */
@Projection('bench_lag_poll250')
export class LagProjectionPoll250 extends LagProjection {}

@Projection('bench_lag_poll20', { pollIntervalMs: 20 })
export class LagProjectionPoll20 extends LagProjection {}

/**
 * The catch-up of a backlog at scale: no read-model writes, so what is measured is reading the
 * log and committing the checkpoint with each batch of 1000.
 */
@Projection('bench_backlog', { batchSize: 1000 })
export class BacklogProjection {
  handled = 0;
  total = 0;

  @ProjectionHandler(ItemAdded)
  added(event: ItemAdded) {
    this.handled++;
    this.total += event.quantity * event.price;
  }
}
