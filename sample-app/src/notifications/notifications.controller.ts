import { Controller, Get, Param } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { EventInbox } from 'nestjs-event-sourcing';
import type { DataSource } from 'typeorm';
import {
  AccountClosed,
  AccountOpened,
  MoneyDeposited,
  MoneyWithdrawn,
} from '../accounts/account.events.js';
import { BANK_EVENTS_PATTERN } from '../forwarding/broker-options.js';
import { Notification } from './notification.entity.js';

/** Turns forwarded bank events into notifications, each exactly once. */
@Controller('notifications')
export class NotificationsController {
  constructor(
    private readonly inbox: EventInbox,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @EventPattern(BANK_EVENTS_PATTERN)
  async onBankEvent(@Payload() message: object, @Ctx() context: unknown): Promise<void> {
    await this.inbox.handle(
      'notifications',
      message,
      async (event, { manager, envelope }) => {
        const text = describe(event);
        if (text === undefined) return;
        await manager!.insert(Notification, {
          eventId: envelope.eventId,
          accountId: envelope.streamId.replace(/^account-/, ''),
          version: envelope.version,
          text,
        });
      },
      context,
    );
  }

  @Get(':accountId')
  list(@Param('accountId') accountId: string): Promise<Notification[]> {
    return this.dataSource.manager.find(Notification, {
      where: { accountId },
      order: { version: 'ASC' },
    });
  }
}

function describe(event: object): string | undefined {
  if (event instanceof AccountOpened) return `Welcome, ${event.owner}: your account is open`;
  if (event instanceof MoneyDeposited) return `${event.amount} deposited`;
  if (event instanceof MoneyWithdrawn) return `${event.amount} withdrawn`;
  if (event instanceof AccountClosed) return 'Your account is closed';
  return undefined;
}
