import { DomainEvent } from 'nestjs-event-sourcing';

@DomainEvent('bank.account-opened')
export class AccountOpened {
  constructor(
    readonly accountId: string,
    readonly owner: string,
    readonly openedAt: Date,
  ) {}
}

/**
 * Version 2. Version 1 (still in old databases) stored `{ accountId, cents }`; the upcaster in
 * money-deposited.upcaster.ts turns it into this shape when it is read.
 */
@DomainEvent('bank.money-deposited', { version: 2 })
export class MoneyDeposited {
  constructor(
    readonly accountId: string,
    readonly amount: number,
    readonly transferId?: string,
  ) {}
}

@DomainEvent('bank.money-withdrawn')
export class MoneyWithdrawn {
  constructor(
    readonly accountId: string,
    readonly amount: number,
    readonly transferId?: string,
  ) {}
}

@DomainEvent('bank.account-closed')
export class AccountClosed {
  constructor(readonly accountId: string) {}
}
