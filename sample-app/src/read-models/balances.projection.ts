import {
  Projection,
  ProjectionHandler,
  ProjectionReset,
  type ProjectionContext,
  type ProjectionHookContext,
} from 'nestjs-event-sourcing';
import type { EntityManager } from 'typeorm';
import {
  AccountClosed,
  AccountOpened,
  MoneyDeposited,
  MoneyWithdrawn,
} from '../accounts/account.events.js';
import { AccountBalance } from './account-balance.entity.js';

/** Inline: the balance is current when `save()` returns, and is written in the same transaction. */
@Projection('account_balances', { mode: 'inline' })
export class BalancesProjection {
  @ProjectionHandler(AccountOpened)
  async opened(event: AccountOpened, ctx: ProjectionContext) {
    await repo(ctx).insert({
      id: event.accountId,
      owner: event.owner,
      balance: 0,
      status: 'open',
      version: ctx.version,
    });
  }

  @ProjectionHandler(MoneyDeposited)
  async deposited(event: MoneyDeposited, ctx: ProjectionContext) {
    await repo(ctx).increment({ id: event.accountId }, 'balance', event.amount);
    await repo(ctx).update({ id: event.accountId }, { version: ctx.version });
  }

  @ProjectionHandler(MoneyWithdrawn)
  async withdrawn(event: MoneyWithdrawn, ctx: ProjectionContext) {
    await repo(ctx).decrement({ id: event.accountId }, 'balance', event.amount);
    await repo(ctx).update({ id: event.accountId }, { version: ctx.version });
  }

  @ProjectionHandler(AccountClosed)
  async closed(event: AccountClosed, ctx: ProjectionContext) {
    await repo(ctx).update({ id: event.accountId }, { status: 'closed', version: ctx.version });
  }

  @ProjectionReset()
  async reset({ manager }: ProjectionHookContext) {
    await manager!.getRepository(AccountBalance).clear();
  }
}

function repo(ctx: { manager?: EntityManager }) {
  return ctx.manager!.getRepository(AccountBalance);
}
