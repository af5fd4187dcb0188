import {
  Body,
  Catch,
  Controller,
  Get,
  HttpStatus,
  NotFoundException,
  Param,
  Post,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { EventStore, InjectEventStoreDataSource } from 'nestjs-event-sourcing';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DomainRuleError, PlaceOrder, ShipOrder } from './tour-aggregate.js';
import { OrderSummary } from './tour-projection.js';

// #region controller
@Controller('orders')
export class OrdersController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly store: EventStore,
    @InjectEventStoreDataSource() private readonly dataSource: DataSource, // the store's DataSource
  ) {}

  @Post()
  async place(@Body() body: { total: number }) {
    const orderId = randomUUID();
    await this.commandBus.execute(new PlaceOrder(orderId, body.total));
    return { orderId };
  }

  @Post(':id/shipment')
  async ship(@Param('id') id: string, @Body() body: { carrier: string }) {
    await this.commandBus.execute(new ShipOrder(id, body.carrier));
  }

  @Get(':id') // the read model the projection keeps
  async summary(@Param('id') id: string) {
    const summary = await this.dataSource.getRepository(OrderSummary).findOneBy({ id });
    if (!summary) throw new NotFoundException(`no order ${id}`);
    return summary;
  }

  @Get(':id/history') // the audit trail: every event of the order's stream
  async history(@Param('id') id: string) {
    const events = await this.store.readStream(`order-${id}`);
    return events.map((e) => ({
      version: e.version,
      type: e.type,
      occurredAt: e.occurredAt,
      data: e.data,
      correlationId: e.metadata.correlationId,
      causationId: e.metadata.causationId,
    }));
  }
}
// #endregion controller

// #region domain-error-filter
/** A broken business rule is the client's request that cannot be done: 422 with the rule. */
@Catch(DomainRuleError)
export class DomainRuleFilter implements ExceptionFilter<DomainRuleError> {
  catch(error: DomainRuleError, host: ArgumentsHost): void {
    const status = HttpStatus.UNPROCESSABLE_ENTITY;
    host
      .switchToHttp()
      .getResponse<{ status(code: number): { json(body: unknown): void } }>()
      .status(status)
      .json({ statusCode: status, error: 'Unprocessable Entity', message: error.message });
  }
}
// #endregion domain-error-filter
