import {
  DomainEvent,
  EventSourcedSaga,
  EventSourcingHandler,
  ProcessManager,
  SagaHandler,
  SagaStart,
  parseDuration,
  type Duration,
  type SagaContext,
} from 'nestjs-event-sourcing';
import { MoneyDeposited, MoneyWithdrawn } from '../accounts/account.events.js';
import {
  CreditForTransfer,
  DebitForTransfer,
  RefundTransfer,
  SettleTransfer,
} from './transfer.commands.js';
import { TransferFailed, TransferRequested, TransferTimedOut } from './transfer.events.js';

@DomainEvent('bank.transfer-process.stage-changed')
export class TransferStageChanged {
  constructor(readonly stage: TransferProcess['stage']) {}
}

@DomainEvent('bank.transfer-process.started')
export class TransferProcessStarted {
  constructor(
    readonly from: string,
    readonly to: string,
    readonly amount: number,
  ) {}
}

/** How long the debit may take before the transfer is given up (`TRANSFER_DEBIT_TIMEOUT`). */
export const DEBIT_TIMEOUT = (process.env.TRANSFER_DEBIT_TIMEOUT ?? '30s') as Duration;
// Checked at startup, not when the first transfer schedules it.
parseDuration(DEBIT_TIMEOUT, 'TRANSFER_DEBIT_TIMEOUT');

/**
 * Moves the money of a transfer: debit the source, credit the target, and refund the source when
 * the credit is refused (the target account is closed, missing, or would pass the largest
 * balance). Its own state is stored as events in stream `saga.transfer-<transferId>`, so it
 * continues where it was after a restart.
 *
 * If the debit has not happened `DEBIT_TIMEOUT` after the request, the transfer is given up. The
 * timeout is delivered only after every event stored before it was due, so a debit stored in time
 * always wins; a debit stored later (its command was still in flight) is refunded.
 *
 * A command that fails for an infrastructure reason (the database went away) is retried with the
 * same command id, which makes it idempotent, with a backoff that spans an outage (about 3
 * minutes in all); if it still fails, the event is parked for an operator (`sagas status`,
 * `sagas retry transfer`) with the money accounted for: a credit whose commit may have happened is
 * never refunded blindly.
 */
@EventSourcedSaga('transfer', { pollIntervalMs: 50, backoffMs: 100, maxAttempts: 12 })
export class TransferProcess extends ProcessManager {
  stage: 'debiting' | 'crediting' | 'refunding' | 'timed-out' | 'done' = 'debiting';
  from = '';
  to = '';
  amount = 0;

  @SagaStart(TransferRequested, { correlateBy: 'transferId' })
  started(event: TransferRequested, ctx: SagaContext) {
    this.apply(new TransferProcessStarted(event.from, event.to, event.amount));
    ctx.schedule(new TransferTimedOut(event.transferId), {
      after: DEBIT_TIMEOUT,
      key: 'debit-timeout',
    });
    return new DebitForTransfer(event.transferId, event.from, event.amount);
  }

  @SagaHandler(MoneyWithdrawn, { correlateBy: 'transferId' })
  debited(event: MoneyWithdrawn, ctx: SagaContext) {
    // The debit came after the transfer was given up: give the money back (compensate).
    if (this.stage === 'timed-out') {
      this.apply(new TransferStageChanged('refunding'));
      return new RefundTransfer(this.id, this.from, this.amount);
    }
    if (this.stage !== 'debiting') return;
    ctx.cancelScheduled('debit-timeout');
    this.apply(new TransferStageChanged('crediting'));
    return new CreditForTransfer(this.id, this.to, this.amount);
  }

  @SagaHandler(MoneyDeposited, { correlateBy: 'transferId' })
  deposited(event: MoneyDeposited) {
    if (this.stage === 'crediting' && event.accountId === this.to) {
      this.apply(new TransferStageChanged('done'));
      return new SettleTransfer(this.id, 'completed');
    }
    if (this.stage === 'refunding' && event.accountId === this.from) {
      this.apply(new TransferStageChanged('done'));
      return new SettleTransfer(this.id, 'compensated');
    }
  }

  @SagaHandler(TransferFailed, { correlateBy: 'transferId' })
  failed(event: TransferFailed, ctx: SagaContext) {
    if (event.stage === 'credit' && this.stage === 'crediting') {
      this.apply(new TransferStageChanged('refunding'));
      return new RefundTransfer(this.id, this.from, this.amount);
    }
    if (event.stage === 'debit' && this.stage === 'debiting') {
      ctx.cancelScheduled('debit-timeout');
      this.apply(new TransferStageChanged('done'));
    }
  }

  @SagaHandler(TransferTimedOut, { correlateBy: 'transferId' })
  timedOut() {
    if (this.stage !== 'debiting') return;
    this.apply(new TransferStageChanged('timed-out'));
    return new SettleTransfer(this.id, 'timed-out');
  }

  @EventSourcingHandler(TransferProcessStarted)
  onStarted(event: TransferProcessStarted) {
    Object.assign(this, { from: event.from, to: event.to, amount: event.amount });
  }

  @EventSourcingHandler(TransferStageChanged)
  onStage(event: TransferStageChanged) {
    this.stage = event.stage;
  }
}
