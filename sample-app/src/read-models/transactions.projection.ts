import {
  Projection,
  ProjectionHandler,
  ProjectionReset,
  type ProjectionContext,
  type ProjectionHookContext,
} from 'nestjs-event-sourcing';
import { MoneyDeposited, MoneyWithdrawn } from '../accounts/account.events.js';
import { AccountTransaction } from './account-transaction.entity.js';

/** Async: a background worker fills the list; its checkpoint commits with the rows it wrote. */
// 9 attempts, 100 ms doubled each time: a batch rides out a database outage of about 25 s, and a
// lasting fault (a missing table) still shows as a failed projection within half a minute.
@Projection('account_transactions', { batchSize: 200, pollIntervalMs: 100, maxAttempts: 9 })
export class TransactionsProjection {
  @ProjectionHandler(MoneyDeposited)
  async deposited(event: MoneyDeposited, ctx: ProjectionContext) {
    await this.record('deposit', event, ctx);
  }

  @ProjectionHandler(MoneyWithdrawn)
  async withdrawn(event: MoneyWithdrawn, ctx: ProjectionContext) {
    await this.record('withdrawal', event, ctx);
  }

  @ProjectionReset()
  async reset({ manager }: ProjectionHookContext) {
    await manager!.getRepository(AccountTransaction).clear();
  }

  private async record(
    kind: AccountTransaction['kind'],
    event: MoneyDeposited | MoneyWithdrawn,
    ctx: ProjectionContext,
  ) {
    await ctx.manager!.getRepository(AccountTransaction).insert({
      eventId: ctx.eventId,
      accountId: event.accountId,
      kind,
      amount: event.amount,
      transferId: event.transferId ?? null,
      position: String(ctx.globalPosition),
      occurredAt: ctx.occurredAt.toISOString(),
    });
  }
}
