import { BadRequestException, Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { InjectAggregateRepository, type AggregateRepository } from 'nestjs-event-sourcing';
import { randomUUID } from 'node:crypto';
import { UuidParamPipe } from '../accounts/uuid-param.pipe.js';
import { Transfer } from './transfer.aggregate.js';
import { RequestTransfer } from './transfer.commands.js';
import { TransferDto } from './transfer.dto.js';

@Controller('transfers')
export class TransfersController {
  constructor(
    private readonly commands: CommandBus,
    @InjectAggregateRepository(Transfer) private readonly transfers: AggregateRepository<Transfer>,
  ) {}

  /** Accepted, not done: the transfer process moves the money in the background. */
  @Post()
  @HttpCode(202)
  request(@Body() body: TransferDto) {
    if (body.from === body.to)
      throw new BadRequestException('from and to must be different accounts');
    return this.commands.execute(
      new RequestTransfer(randomUUID(), body.from, body.to, body.amount),
    );
  }

  @Get(':id')
  async get(@Param('id', UuidParamPipe) id: string) {
    const { status, from, to, amount, reason, version } = await this.transfers.load(id);
    return { id, status, from, to, amount, reason, version };
  }
}
