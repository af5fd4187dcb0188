import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventSourcingModule } from 'nestjs-event-sourcing';
import { AccountBalance } from '../read-models/account-balance.entity.js';
import { AccountTransaction } from '../read-models/account-transaction.entity.js';
import { BalancesProjection } from '../read-models/balances.projection.js';
import { TransactionsProjection } from '../read-models/transactions.projection.js';
import { Account } from './account.aggregate.js';
import {
  CloseAccountHandler,
  DepositMoneyHandler,
  OpenAccountHandler,
  WithdrawMoneyHandler,
} from './account.handlers.js';
import { AccountsController } from './accounts.controller.js';
import { MoneyDepositedV1Upcaster } from './money-deposited.upcaster.js';

@Module({
  imports: [
    EventSourcingModule.forFeature([Account]),
    TypeOrmModule.forFeature([AccountBalance, AccountTransaction]),
  ],
  controllers: [AccountsController],
  providers: [
    OpenAccountHandler,
    DepositMoneyHandler,
    WithdrawMoneyHandler,
    CloseAccountHandler,
    MoneyDepositedV1Upcaster,
    BalancesProjection,
    TransactionsProjection,
  ],
})
export class AccountsModule {}
