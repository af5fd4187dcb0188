import { DomainEvent } from 'nestjs-event-sourcing';

@DomainEvent('bank.transfer-requested')
export class TransferRequested {
  constructor(
    readonly transferId: string,
    readonly from: string,
    readonly to: string,
    readonly amount: number,
  ) {}
}

/** A step was refused by a business rule: `debit` (nothing to undo) or `credit` (refund due). */
@DomainEvent('bank.transfer-failed')
export class TransferFailed {
  constructor(
    readonly transferId: string,
    readonly stage: 'debit' | 'credit' | 'timeout',
    readonly reason: string,
  ) {}
}

@DomainEvent('bank.transfer-completed')
export class TransferCompleted {
  constructor(readonly transferId: string) {}
}

@DomainEvent('bank.transfer-compensated')
export class TransferCompensated {
  constructor(readonly transferId: string) {}
}

/** Scheduled by the transfer process when it starts; delivered if the debit has not happened. */
@DomainEvent('bank.transfer-timed-out')
export class TransferTimedOut {
  constructor(readonly transferId: string) {}
}
