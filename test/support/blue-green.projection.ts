import {
  Projection,
  ProjectionHandler,
  ProjectionInit,
  ProjectionReset,
  ProjectionSwap,
  type ProjectionContext,
  type ProjectionHookContext,
  type ProjectionTarget,
} from 'nestjs-event-sourcing';
import type { EntityManager } from 'typeorm';
import { AccountOpened, MoneyDeposited } from './account.domain.js';
import { bind } from './balances.projection.js';

const other = (table: string) => (table === 'bg_blue' ? 'bg_green' : 'bg_blue');

/**
 * A read model in two tables (bg_blue, bg_green) with a pointer row naming the live one: what a
 * blue/green rebuild needs. `live` and `next` resolve through the pointer.
 */
@Projection('bg_balances', { batchSize: 25, pollIntervalMs: 20 })
export class BlueGreenProjection {
  private async table(manager: EntityManager, target: ProjectionTarget): Promise<string> {
    const rows = await manager.query<{ live: string }[]>('SELECT live FROM bg_pointer');
    return target === 'live' ? rows[0].live : other(rows[0].live);
  }

  @ProjectionInit()
  async init({ manager, target }: ProjectionHookContext) {
    for (const table of ['bg_blue', 'bg_green']) {
      await manager!.query(
        `CREATE TABLE IF NOT EXISTS ${table} (id VARCHAR(64) PRIMARY KEY, balance INT NOT NULL)`,
      );
    }
    await manager!.query('CREATE TABLE IF NOT EXISTS bg_pointer (live VARCHAR(16) NOT NULL)');
    const rows = await manager!.query<unknown[]>('SELECT live FROM bg_pointer');
    if (rows.length === 0) await manager!.query("INSERT INTO bg_pointer (live) VALUES ('bg_blue')");
    await manager!.query(`DELETE FROM ${await this.table(manager!, target)}`);
  }

  @ProjectionReset()
  async reset({ manager, target }: ProjectionHookContext) {
    const exists = await manager!.query<unknown[]>('SELECT 1 FROM bg_pointer').catch(() => []);
    if (exists.length) await manager!.query(`DELETE FROM ${await this.table(manager!, target)}`);
  }

  @ProjectionSwap()
  async swap({ manager }: ProjectionHookContext) {
    await manager!.query(bind(manager!, 'UPDATE bg_pointer SET live = ?'), [
      other(await this.table(manager!, 'live')),
    ]);
  }

  @ProjectionHandler(AccountOpened)
  async opened(event: AccountOpened, ctx: ProjectionContext) {
    const table = await this.table(ctx.manager!, ctx.target);
    await ctx.manager!.query(
      bind(ctx.manager!, `INSERT INTO ${table} (id, balance) VALUES (?, 0)`),
      [event.accountId],
    );
  }

  @ProjectionHandler(MoneyDeposited)
  async deposited(event: MoneyDeposited, ctx: ProjectionContext) {
    const table = await this.table(ctx.manager!, ctx.target);
    await ctx.manager!.query(
      bind(ctx.manager!, `UPDATE ${table} SET balance = balance + ? WHERE id = ?`),
      [event.amount, event.accountId],
    );
    await ctx.emit(`bgaudit-${event.accountId}`, [
      { type: 'bgaudit.seen', data: { amount: event.amount } },
    ]);
  }
}
