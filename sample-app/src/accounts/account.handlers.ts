import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  InjectAggregateRepository,
  retryOnConcurrencyError,
  type AggregateRepository,
} from 'nestjs-event-sourcing';
import { Account } from './account.aggregate.js';
import { CloseAccount, DepositMoney, OpenAccount, WithdrawMoney } from './account.commands.js';

@CommandHandler(OpenAccount)
export class OpenAccountHandler implements ICommandHandler<OpenAccount> {
  constructor(
    @InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>,
  ) {}

  async execute({ accountId, owner }: OpenAccount) {
    await this.accounts.save(Account.open(accountId, owner));
    return { accountId };
  }
}

/** Deposits commute, so a lost race is simply retried on the new state. */
@CommandHandler(DepositMoney)
export class DepositMoneyHandler implements ICommandHandler<DepositMoney> {
  constructor(
    @InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>,
  ) {}

  execute({ accountId, amount, transferId }: DepositMoney) {
    return retryOnConcurrencyError(async () => {
      const account = await this.accounts.load(accountId);
      account.deposit(amount, transferId);
      await this.accounts.save(account);
      return { version: account.version };
    });
  }
}

/**
 * A withdrawal checks the balance, so it is not retried blindly: with an expected version from
 * the client it fails with 409 when the account changed since the client looked.
 */
@CommandHandler(WithdrawMoney)
export class WithdrawMoneyHandler implements ICommandHandler<WithdrawMoney> {
  constructor(
    @InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>,
  ) {}

  async execute({ accountId, amount, expectedVersion, transferId }: WithdrawMoney) {
    const account = await this.accounts.load(accountId, { expectedVersion });
    account.withdraw(amount, transferId);
    await this.accounts.save(account);
    return { version: account.version };
  }
}

@CommandHandler(CloseAccount)
export class CloseAccountHandler implements ICommandHandler<CloseAccount> {
  constructor(
    @InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>,
  ) {}

  async execute({ accountId }: CloseAccount) {
    const account = await this.accounts.load(accountId);
    account.close();
    await this.accounts.save(account);
    return { version: account.version };
  }
}
