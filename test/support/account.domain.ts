import {
  Aggregate,
  DomainEvent,
  EventSourcedAggregate,
  EventSourcingHandler,
} from 'nestjs-event-sourcing';

@DomainEvent('account.opened')
export class AccountOpened {
  constructor(
    readonly accountId: string,
    readonly owner: string,
    readonly openedAt: Date,
  ) {}
}

/** Version 2: version 1 stored `cents` instead of `amount`. */
@DomainEvent('account.deposited', { version: 2 })
export class MoneyDeposited {
  constructor(
    readonly accountId: string,
    readonly amount: number,
  ) {}
}

@DomainEvent('account.withdrawn')
export class MoneyWithdrawn {
  constructor(
    readonly accountId: string,
    readonly amount: number,
  ) {}
}

export class InsufficientFunds extends Error {}

@Aggregate('account', { snapshotEvery: 10 })
export class Account extends EventSourcedAggregate {
  owner = '';
  balance = 0;
  openedAt?: Date;

  static open(id: string, owner: string): Account {
    const account = new Account(id);
    account.apply(new AccountOpened(id, owner, new Date('2026-01-02T03:04:05.678Z')));
    return account;
  }

  deposit(amount: number): void {
    this.apply(new MoneyDeposited(this.id, amount));
  }

  withdraw(amount: number): void {
    if (amount > this.balance) throw new InsufficientFunds(`balance ${this.balance} < ${amount}`);
    this.apply(new MoneyWithdrawn(this.id, amount));
  }

  @EventSourcingHandler(AccountOpened)
  opened(event: AccountOpened): void {
    this.owner = event.owner;
    this.openedAt = event.openedAt;
  }

  @EventSourcingHandler(MoneyDeposited)
  deposited(event: MoneyDeposited): void {
    this.balance += event.amount;
  }

  // Found through the @nestjs/cqrs `on<EventName>` convention.
  onMoneyWithdrawn(event: MoneyWithdrawn): void {
    this.balance -= event.amount;
  }
}
