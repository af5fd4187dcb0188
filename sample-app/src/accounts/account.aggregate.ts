import { Aggregate, EventSourcedAggregate, EventSourcingHandler } from 'nestjs-event-sourcing';
import {
  AccountClosedError,
  BalanceLimitError,
  DomainRuleError,
  InsufficientFundsError,
} from './account.errors.js';
import { AccountClosed, AccountOpened, MoneyDeposited, MoneyWithdrawn } from './account.events.js';

/**
 * The largest balance an account may hold: a business rule (422), and it keeps every balance a
 * safe JavaScript integer. The read model stores balances as BIGINT.
 */
export const MAX_BALANCE = 10_000_000_000;

/** A bank account. Busy accounts load from a snapshot taken every 50 events. */
@Aggregate('account', { snapshotEvery: 50 })
export class Account extends EventSourcedAggregate {
  owner = '';
  balance = 0;
  closed = false;

  static open(id: string, owner: string): Account {
    const account = new Account(id);
    account.apply(new AccountOpened(id, owner, new Date()));
    return account;
  }

  deposit(amount: number, transferId?: string): void {
    if (this.closed) throw new AccountClosedError(this.id);
    if (this.balance + amount > MAX_BALANCE) {
      throw new BalanceLimitError(this.id, this.balance, amount, MAX_BALANCE);
    }
    this.apply(new MoneyDeposited(this.id, amount, transferId));
  }

  /**
   * Gives back what a transfer took. Never refused: the money left this account, so it fits
   * under the limit it was under then, and a refund to an account closed meanwhile still counts
   * (the owner withdraws it). Refusing it would leave money that belongs to nobody.
   */
  refund(amount: number, transferId: string): void {
    this.apply(new MoneyDeposited(this.id, amount, transferId));
  }

  withdraw(amount: number, transferId?: string): void {
    if (this.closed) throw new AccountClosedError(this.id);
    if (amount > this.balance) throw new InsufficientFundsError(this.id, this.balance, amount);
    this.apply(new MoneyWithdrawn(this.id, amount, transferId));
  }

  close(): void {
    if (this.closed) return;
    if (this.balance !== 0) {
      throw new DomainRuleError(
        `account ${this.id} still holds ${this.balance}; withdraw it first`,
      );
    }
    this.apply(new AccountClosed(this.id));
  }

  @EventSourcingHandler(AccountOpened)
  onOpened(event: AccountOpened): void {
    this.owner = event.owner;
  }

  @EventSourcingHandler(MoneyDeposited)
  onDeposited(event: MoneyDeposited): void {
    this.balance += event.amount;
  }

  @EventSourcingHandler(MoneyWithdrawn)
  onWithdrawn(event: MoneyWithdrawn): void {
    this.balance -= event.amount;
  }

  @EventSourcingHandler(AccountClosed)
  onClosed(): void {
    this.closed = true;
  }
}
