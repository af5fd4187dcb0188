import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { EventStore, streamIdFor } from 'nestjs-event-sourcing';
import { randomUUID } from 'node:crypto';
import type { Repository } from 'typeorm';
import { AccountBalance } from '../read-models/account-balance.entity.js';
import { AccountTransaction } from '../read-models/account-transaction.entity.js';
import { Account } from './account.aggregate.js';
import { CloseAccount, DepositMoney, OpenAccount, WithdrawMoney } from './account.commands.js';
import { AmountDto, OpenAccountDto } from './account.dto.js';
import { UuidParamPipe } from './uuid-param.pipe.js';

const uuid = new UuidParamPipe();

@Controller('accounts')
export class AccountsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly store: EventStore,
    @InjectRepository(AccountBalance) private readonly balances: Repository<AccountBalance>,
    @InjectRepository(AccountTransaction)
    private readonly transactions: Repository<AccountTransaction>,
  ) {}

  @Post()
  open(@Body() body: OpenAccountDto) {
    return this.commands.execute(new OpenAccount(randomUUID(), body.owner));
  }

  @Post(':id/deposits')
  deposit(@Param('id', uuid) id: string, @Body() body: AmountDto) {
    return this.commands.execute(new DepositMoney(id, body.amount));
  }

  @Post(':id/withdrawals')
  withdraw(@Param('id', uuid) id: string, @Body() body: AmountDto) {
    return this.commands.execute(new WithdrawMoney(id, body.amount, body.expectedVersion));
  }

  @Post(':id/close')
  @HttpCode(200)
  close(@Param('id', uuid) id: string) {
    return this.commands.execute(new CloseAccount(id));
  }

  /** The current balance, from the inline read model. */
  @Get(':id')
  async get(@Param('id', uuid) id: string) {
    const balance = await this.balances.findOneBy({ id });
    if (!balance) throw new NotFoundException(`account ${id} does not exist`);
    return balance;
  }

  /** Deposits and withdrawals, from the async read model (eventually consistent). */
  @Get(':id/transactions')
  async list(@Param('id', uuid) id: string) {
    const rows = await this.transactions.find({
      where: { accountId: id },
      order: { position: 'ASC' },
    });
    return rows.map(({ eventId, kind, amount, transferId, occurredAt }) => ({
      eventId,
      kind,
      amount,
      transferId,
      occurredAt,
    }));
  }

  /** "What exactly happened?": every event of the account, when, and what caused it. */
  @Get(':id/history')
  async history(@Param('id', uuid) id: string) {
    const events = await this.store.readStream(streamIdFor(Account, id));
    if (events.length === 0) throw new NotFoundException(`account ${id} does not exist`);
    return events.map(({ version, type, occurredAt, data, metadata, eventId }) => {
      const { correlationId, causationId, eventVersion: _v, ...rest } = metadata;
      return {
        version,
        type,
        occurredAt,
        data,
        eventId,
        correlationId,
        causationId,
        metadata: rest,
      };
    });
  }
}
