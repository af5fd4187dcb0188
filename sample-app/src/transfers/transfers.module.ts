import { Module } from '@nestjs/common';
import { EventSourcingModule } from 'nestjs-event-sourcing';
import { Account } from '../accounts/account.aggregate.js';
import { Transfer } from './transfer.aggregate.js';
import {
  CreditForTransferHandler,
  DebitForTransferHandler,
  RefundTransferHandler,
  RequestTransferHandler,
  SettleTransferHandler,
} from './transfer.handlers.js';
import { TransferProcess } from './transfer.process.js';
import { TransfersController } from './transfers.controller.js';

@Module({
  imports: [EventSourcingModule.forFeature([Account, Transfer])],
  controllers: [TransfersController],
  providers: [
    RequestTransferHandler,
    DebitForTransferHandler,
    CreditForTransferHandler,
    RefundTransferHandler,
    SettleTransferHandler,
    TransferProcess,
  ],
})
export class TransfersModule {}
