import {
  DomainCommand,
  DomainEvent,
  EventSourcedSaga,
  EventSourcingHandler,
  ProcessManager,
  SagaHandler,
  SagaStart,
  type SagaContext,
} from 'nestjs-event-sourcing';

@DomainEvent('billing.invoice-issued')
export class InvoiceIssued {
  constructor(readonly orderId: string) {}
}
@DomainEvent('billing.payment-received')
export class PaymentReceived {
  constructor(
    readonly orderId: string,
    readonly amount: number,
  ) {}
}
@DomainEvent('billing.payment-overdue')
export class PaymentOverdue {
  constructor(readonly orderId: string) {}
}
@DomainEvent('billing.collection.cancelled')
export class CollectionCancelled {}
@DomainEvent('billing.collection.refunded')
export class PaymentRefunded {
  constructor(readonly amount: number) {}
}
@DomainCommand('billing.refund-payment')
export class RefundPayment {
  constructor(
    readonly orderId: string,
    readonly amount: number,
  ) {}
}

@EventSourcedSaga('collection')
export class Collection extends ProcessManager {
  cancelled = false;

  @SagaStart(InvoiceIssued, { correlateBy: 'orderId' })
  issued(event: InvoiceIssued, ctx: SagaContext) {
    ctx.schedule(new PaymentOverdue(event.orderId), { after: '14d', key: 'overdue' });
  }

  @SagaHandler(PaymentOverdue, { correlateBy: 'orderId' })
  overdue() {
    if (!this.cancelled) this.apply(new CollectionCancelled());
  }

  // #region compensate
  @SagaHandler(PaymentReceived, { correlateBy: (event) => event.orderId })
  paymentReceived(event: PaymentReceived, ctx: SagaContext) {
    if (this.cancelled) {
      // The timeout won: this payment was committed after it fired. Give it back, once.
      this.apply(new PaymentRefunded(event.amount));
      return new RefundPayment(ctx.correlationKey, event.amount);
    }
    ctx.cancelScheduled('overdue');
  }
  // #endregion compensate

  @EventSourcingHandler(CollectionCancelled)
  onCancelled() {
    this.cancelled = true;
  }
  @EventSourcingHandler(PaymentRefunded)
  onRefunded() {}
}
