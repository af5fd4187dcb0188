import {
  Projection,
  ProjectionDelete,
  ProjectionHandler,
  ProjectionInit,
  ProjectionReset,
  type ProjectionContext,
  type ProjectionHookContext,
} from 'nestjs-event-sourcing';
import type { EntityManager } from 'typeorm';
import { AccountOpened, MoneyDeposited, MoneyWithdrawn } from './account.domain.js';

/** `?` placeholders in the form the connection's driver expects. */
export function bind(manager: EntityManager, sql: string): string {
  if (manager.connection.options.type !== 'postgres') return sql;
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

async function run(manager: EntityManager | undefined, sql: string, params: unknown[] = []) {
  if (!manager) throw new Error('these test projections need a database store');
  await manager.query(bind(manager, sql), params);
}

/** An async projection: balances per account, one row per processed event, an audit emission. */
@Projection('balances', { batchSize: 50, pollIntervalMs: 20, maxAttempts: 2 })
export class BalancesProjection {
  inits = 0;
  /** A deposit of this amount throws, to test retries and failure. */
  failOn: number | undefined;
  attempts = 0;

  @ProjectionInit()
  async init({ manager }: ProjectionHookContext) {
    this.inits++;
    await run(
      manager,
      'CREATE TABLE IF NOT EXISTS balances (id VARCHAR(64) PRIMARY KEY, balance INT NOT NULL)',
    );
    await run(manager, 'CREATE TABLE IF NOT EXISTS processed (event_id VARCHAR(64) PRIMARY KEY)');
  }

  @ProjectionReset()
  async reset({ manager }: ProjectionHookContext) {
    await run(manager, 'DELETE FROM balances');
    await run(manager, 'DELETE FROM processed');
  }

  @ProjectionDelete()
  async drop({ manager }: ProjectionHookContext) {
    await run(manager, 'DROP TABLE IF EXISTS balances');
    await run(manager, 'DROP TABLE IF EXISTS processed');
  }

  @ProjectionHandler(AccountOpened)
  async opened(event: AccountOpened, ctx: ProjectionContext) {
    await run(ctx.manager, 'INSERT INTO balances (id, balance) VALUES (?, 0)', [event.accountId]);
    await this.processed(ctx);
  }

  @ProjectionHandler(MoneyDeposited)
  async deposited(event: MoneyDeposited, ctx: ProjectionContext) {
    if (event.amount === this.failOn) {
      this.attempts++;
      throw new Error(`refusing deposit of ${event.amount}`);
    }
    await run(ctx.manager, 'UPDATE balances SET balance = balance + ? WHERE id = ?', [
      event.amount,
      event.accountId,
    ]);
    await this.processed(ctx);
    const count = ctx.getState<{ deposits: number }>()?.deposits ?? 0;
    ctx.setState({ deposits: count + 1 });
    await ctx.emit(`audit-${event.accountId}`, [
      { type: 'audit.deposit-seen', data: { amount: event.amount } },
    ]);
  }

  @ProjectionHandler(MoneyWithdrawn)
  async withdrawn(event: MoneyWithdrawn, ctx: ProjectionContext) {
    await run(ctx.manager, 'UPDATE balances SET balance = balance - ? WHERE id = ?', [
      event.amount,
      event.accountId,
    ]);
    await this.processed(ctx);
  }

  // A primary key per event id: an event applied twice would fail the batch.
  private async processed(ctx: ProjectionContext) {
    await run(ctx.manager, 'INSERT INTO processed (event_id) VALUES (?)', [ctx.eventId]);
  }
}

/** A second async projection that only counts, to show failures stay isolated. */
@Projection('deposit_count', { pollIntervalMs: 20 })
export class DepositCountProjection {
  count = 0;
  @ProjectionHandler(MoneyDeposited)
  deposited() {
    this.count++;
  }
}

/** An inline projection: the read model is current when save() returns. */
@Projection('owners', { mode: 'inline' })
export class OwnersProjection {
  @ProjectionInit()
  async init({ manager }: ProjectionHookContext) {
    await run(
      manager,
      'CREATE TABLE IF NOT EXISTS owners (id VARCHAR(64) PRIMARY KEY, owner VARCHAR(64) NOT NULL)',
    );
  }

  @ProjectionHandler(AccountOpened)
  async opened(event: AccountOpened, ctx: ProjectionContext) {
    if (event.owner === 'refused') throw new Error('inline projection refuses this owner');
    await run(ctx.manager, 'INSERT INTO owners (id, owner) VALUES (?, ?)', [
      event.accountId,
      event.owner,
    ]);
  }
}
