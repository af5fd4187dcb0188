import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  AggregateNotFoundError,
  InjectAggregateRepository,
  retryOnConcurrencyError,
  type AggregateRepository,
} from 'nestjs-event-sourcing';
import { Account } from '../accounts/account.aggregate.js';
import { DomainRuleError } from '../accounts/account.errors.js';
import { Transfer } from './transfer.aggregate.js';
import { DEBIT_TIMEOUT } from './transfer.process.js';
import {
  CreditForTransfer,
  DebitForTransfer,
  RefundTransfer,
  RequestTransfer,
  SettleTransfer,
} from './transfer.commands.js';

type Accounts = AggregateRepository<Account>;
type Transfers = AggregateRepository<Transfer>;

@CommandHandler(RequestTransfer)
export class RequestTransferHandler implements ICommandHandler<RequestTransfer> {
  constructor(@InjectAggregateRepository(Transfer) private readonly transfers: Transfers) {}

  async execute({ transferId, from, to, amount }: RequestTransfer) {
    await this.transfers.save(Transfer.request(transferId, from, to, amount));
    return { transferId };
  }
}

/**
 * Runs one money movement of a transfer. A refused business rule (overdraft, closed or missing
 * account) is not an error of the process: it is recorded on the transfer, and the process reacts.
 */
async function moveMoney(
  accounts: Accounts,
  transfers: Transfers,
  stage: 'debit' | 'credit',
  command: { transferId: string; accountId: string; amount: number },
  move: (account: Account) => void,
) {
  try {
    await retryOnConcurrencyError(async () => {
      const account = await accounts.load(command.accountId);
      move(account);
      await accounts.save(account);
    });
  } catch (error) {
    if (!(error instanceof DomainRuleError || error instanceof AggregateNotFoundError)) throw error;
    await retryOnConcurrencyError(async () => {
      const transfer = await transfers.load(command.transferId);
      transfer.fail(stage, error.message);
      await transfers.save(transfer);
    });
  }
}

@CommandHandler(DebitForTransfer)
export class DebitForTransferHandler implements ICommandHandler<DebitForTransfer> {
  constructor(
    @InjectAggregateRepository(Account) private readonly accounts: Accounts,
    @InjectAggregateRepository(Transfer) private readonly transfers: Transfers,
  ) {}

  execute(command: DebitForTransfer) {
    return moveMoney(this.accounts, this.transfers, 'debit', command, (account) =>
      account.withdraw(command.amount, command.transferId),
    );
  }
}

@CommandHandler(CreditForTransfer)
export class CreditForTransferHandler implements ICommandHandler<CreditForTransfer> {
  constructor(
    @InjectAggregateRepository(Account) private readonly accounts: Accounts,
    @InjectAggregateRepository(Transfer) private readonly transfers: Transfers,
  ) {}

  execute(command: CreditForTransfer) {
    return moveMoney(this.accounts, this.transfers, 'credit', command, (account) =>
      account.deposit(command.amount, command.transferId),
    );
  }
}

@CommandHandler(RefundTransfer)
export class RefundTransferHandler implements ICommandHandler<RefundTransfer> {
  constructor(@InjectAggregateRepository(Account) private readonly accounts: Accounts) {}

  execute({ accountId, amount, transferId }: RefundTransfer) {
    return retryOnConcurrencyError(async () => {
      const account = await this.accounts.load(accountId);
      account.refund(amount, transferId);
      await this.accounts.save(account);
    });
  }
}

@CommandHandler(SettleTransfer)
export class SettleTransferHandler implements ICommandHandler<SettleTransfer> {
  constructor(@InjectAggregateRepository(Transfer) private readonly transfers: Transfers) {}

  execute({ transferId, outcome }: SettleTransfer) {
    return retryOnConcurrencyError(async () => {
      const transfer = await this.transfers.load(transferId);
      if (outcome === 'completed') transfer.complete();
      else if (outcome === 'compensated') transfer.markCompensated();
      else transfer.fail('timeout', `the debit did not happen within ${DEBIT_TIMEOUT}`);
      await this.transfers.save(transfer);
    });
  }
}
