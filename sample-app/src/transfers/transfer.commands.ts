import { Command } from '@nestjs/cqrs';
import { DomainCommand } from 'nestjs-event-sourcing';

export class RequestTransfer extends Command<{ transferId: string }> {
  constructor(
    readonly transferId: string,
    readonly from: string,
    readonly to: string,
    readonly amount: number,
  ) {
    super();
  }
}

/** Takes the money from the source account, or records why it could not. */
@DomainCommand('bank.debit-for-transfer')
export class DebitForTransfer {
  constructor(
    readonly transferId: string,
    readonly accountId: string,
    readonly amount: number,
  ) {}
}

/** Puts the money on the target account, or records why it could not. */
@DomainCommand('bank.credit-for-transfer')
export class CreditForTransfer {
  constructor(
    readonly transferId: string,
    readonly accountId: string,
    readonly amount: number,
  ) {}
}

/** Gives the money back to the source account after a refused credit. */
@DomainCommand('bank.refund-transfer')
export class RefundTransfer {
  constructor(
    readonly transferId: string,
    readonly accountId: string,
    readonly amount: number,
  ) {}
}

/** Records the outcome on the transfer. */
@DomainCommand('bank.settle-transfer')
export class SettleTransfer {
  constructor(
    readonly transferId: string,
    readonly outcome: 'completed' | 'compensated' | 'timed-out',
  ) {}
}
