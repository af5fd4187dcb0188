import { Upcaster, type EventUpcaster } from 'nestjs-event-sourcing';

interface DepositedV1 {
  accountId: string;
  cents: number;
  transferId?: string;
}

/** Deposits were first stored in cents; version 2 stores whole currency units as `amount`. */
@Upcaster('bank.money-deposited', 1)
export class MoneyDepositedV1Upcaster implements EventUpcaster<DepositedV1> {
  upcast(data: DepositedV1) {
    return { accountId: data.accountId, amount: data.cents / 100, transferId: data.transferId };
  }
}
