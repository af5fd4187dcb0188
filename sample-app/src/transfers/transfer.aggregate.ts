import { Aggregate, EventSourcedAggregate, EventSourcingHandler } from 'nestjs-event-sourcing';
import {
  TransferCompensated,
  TransferCompleted,
  TransferFailed,
  TransferRequested,
} from './transfer.events.js';

export type TransferStatus = 'requested' | 'completed' | 'failed' | 'compensated';

/** The record of one transfer, as the customer sees it. The process manager moves the money. */
@Aggregate('transfer')
export class Transfer extends EventSourcedAggregate {
  status: TransferStatus = 'requested';
  from = '';
  to = '';
  amount = 0;
  reason: string | undefined;

  static request(id: string, from: string, to: string, amount: number): Transfer {
    const transfer = new Transfer(id);
    transfer.apply(new TransferRequested(id, from, to, amount));
    return transfer;
  }

  fail(stage: TransferFailed['stage'], reason: string): void {
    if (this.status !== 'requested') return;
    this.apply(new TransferFailed(this.id, stage, reason));
  }

  complete(): void {
    if (this.status === 'requested') this.apply(new TransferCompleted(this.id));
  }

  markCompensated(): void {
    if (this.status === 'failed') this.apply(new TransferCompensated(this.id));
  }

  @EventSourcingHandler(TransferRequested)
  onRequested(event: TransferRequested): void {
    Object.assign(this, { from: event.from, to: event.to, amount: event.amount });
  }

  @EventSourcingHandler(TransferFailed)
  onFailed(event: TransferFailed): void {
    this.status = 'failed';
    this.reason = event.reason;
  }

  @EventSourcingHandler(TransferCompleted)
  onCompleted(): void {
    this.status = 'completed';
  }

  @EventSourcingHandler(TransferCompensated)
  onCompensated(): void {
    this.status = 'compensated';
  }
}
