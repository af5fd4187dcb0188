/**
 * The partitioned projection of the partitioned-projection tests and drill. It imports lib/ by
 * relative paths because the drill also runs it in child processes compiled with SWC.
 */
import { CqrsModule } from '@nestjs/cqrs';
import { Module, type DynamicModule } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import {
  DomainEvent,
  EventSourcingModule,
  Projection,
  ProjectionHandler,
  ProjectionInit,
  ProjectionReset,
  type NewEvent,
  type PartitionScope,
  type ProjectionContext,
  type ProjectionHookContext,
} from '../../lib/index.js';

@DomainEvent('tally.opened')
export class TallyOpened {
  constructor(readonly id: string) {}
}

@DomainEvent('tally.added')
export class TallyAdded {
  constructor(readonly amount: number) {}
}

/** The events of a tally stream: opened (when `open`), then one `tally.added` per amount. */
export function tallyEvents(id: string, amounts: number[], open: boolean): NewEvent[] {
  return [
    ...(open ? [{ type: 'tally.opened', data: { id } }] : []),
    ...amounts.map((amount) => ({ type: 'tally.added', data: { amount } })),
  ];
}

/** `?` placeholders in the form the connection's driver expects. */
function bind(manager: EntityManager, sql: string): string {
  if (manager.connection.options.type !== 'postgres') return sql;
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** An amount that is a poison event until `tally_fixes` holds the account's stream. */
export const POISON_AMOUNT = 13;

async function run<T = unknown>(
  manager: EntityManager | undefined,
  sql: string,
  params: unknown[] = [],
): Promise<T> {
  if (!manager) throw new Error('the tallies projection needs a database store');
  return manager.query<T>(bind(manager, sql), params);
}

/**
 * A projection partitioned by stream: per account, the sum of deposits, the number of events and
 * the last version applied. A handler refuses an event that is not the next version of its stream,
 * so applying out of order (or twice) fails loudly instead of going unnoticed.
 */
@Projection('tallies', {
  partitionBy: 'stream',
  partitions: 4,
  batchSize: 25,
  pollIntervalMs: 20,
  maxAttempts: 2,
})
export class TalliesProjection {
  /** The `ctx.partition` of each reset (undefined: the whole projection). */
  readonly resets: (PartitionScope | undefined)[] = [];
  /**
   * The next event of this amount ends the whole batch transaction (a raw ROLLBACK, as a MySQL
   * deadlock does) and throws, once.
   */
  endTransactionOn: number | undefined;

  @ProjectionInit()
  async init({ manager }: ProjectionHookContext) {
    await run(
      manager,
      'CREATE TABLE IF NOT EXISTS tallies (stream_id VARCHAR(255) PRIMARY KEY, total INT NOT NULL, events INT NOT NULL, last_version INT NOT NULL)',
    );
    await run(
      manager,
      'CREATE TABLE IF NOT EXISTS tally_fixes (stream_id VARCHAR(255) PRIMARY KEY)',
    );
  }

  @ProjectionReset()
  async reset({ manager, partition }: ProjectionHookContext) {
    this.resets.push(partition);
    if (!partition) {
      await run(manager, 'DELETE FROM tallies');
      return;
    }
    // Only the rows of the keys of the bucket being reset.
    const rows = await run<{ stream_id: string }[]>(manager, 'SELECT stream_id FROM tallies');
    for (const row of rows.filter((r) => partition.owns(r.stream_id))) {
      await run(manager, 'DELETE FROM tallies WHERE stream_id = ?', [row.stream_id]);
    }
  }

  @ProjectionHandler(TallyOpened)
  async opened(_event: TallyOpened, ctx: ProjectionContext) {
    await run(
      ctx.manager,
      'INSERT INTO tallies (stream_id, total, events, last_version) VALUES (?, 0, 1, ?)',
      [ctx.streamId, ctx.version],
    );
  }

  @ProjectionHandler(TallyAdded)
  async added(event: TallyAdded, ctx: ProjectionContext) {
    if (event.amount === this.endTransactionOn) {
      this.endTransactionOn = undefined;
      await run(ctx.manager, 'ROLLBACK');
      throw new Error('deadlock (simulated): the transaction was rolled back');
    }
    if (event.amount === POISON_AMOUNT) {
      const fixed = await run<unknown[]>(
        ctx.manager,
        'SELECT stream_id FROM tally_fixes WHERE stream_id = ?',
        [ctx.streamId],
      );
      if (fixed.length === 0) throw new Error(`poison amount in ${ctx.streamId}`);
    }
    const manager = ctx.manager!;
    const result = (await manager.queryRunner!.query(
      bind(
        manager,
        'UPDATE tallies SET total = total + ?, events = events + 1, last_version = ? WHERE stream_id = ? AND last_version = ?',
      ),
      [event.amount, ctx.version, ctx.streamId, ctx.version - 1],
      true,
    )) as { affected?: number };
    if (result.affected !== 1) {
      throw new Error(`${ctx.streamId} v${ctx.version} is not the next event of its stream`);
    }
  }
}

@Module({})
class TalliesAppModule {}

/** An application with the tallies projection (a drill instance, or the integration test's). */
export function talliesModule(options: {
  dataSource: DataSource;
  schema: string | undefined;
  workers?: boolean;
}): DynamicModule {
  return {
    module: TalliesAppModule,
    imports: [
      CqrsModule.forRoot(),
      EventSourcingModule.forRoot({
        dataSource: options.dataSource,
        schema: options.schema,
        workers: options.workers,
      }),
    ],
    providers: [TalliesProjection],
  };
}
