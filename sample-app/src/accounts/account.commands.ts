import { Command } from '@nestjs/cqrs';

export class OpenAccount extends Command<{ accountId: string }> {
  constructor(
    readonly accountId: string,
    readonly owner: string,
  ) {
    super();
  }
}

export class DepositMoney extends Command<{ version: number }> {
  constructor(
    readonly accountId: string,
    readonly amount: number,
    readonly transferId?: string,
  ) {
    super();
  }
}

export class WithdrawMoney extends Command<{ version: number }> {
  constructor(
    readonly accountId: string,
    readonly amount: number,
    /** The version the client saw; the withdrawal is refused (409) if the account moved on. */
    readonly expectedVersion?: number,
    readonly transferId?: string,
  ) {
    super();
  }
}

export class CloseAccount extends Command<{ version: number }> {
  constructor(readonly accountId: string) {
    super();
  }
}
