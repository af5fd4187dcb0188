import { Aggregate, EventSourcedAggregate, EventSourcingHandler } from 'nestjs-event-sourcing';
import { AccountClosedError, DomainRuleError, InsufficientFundsError } from './account.errors.js';
import { AccountClosed, AccountOpened, MoneyDeposited, MoneyWithdrawn } from './account.events.js';

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
