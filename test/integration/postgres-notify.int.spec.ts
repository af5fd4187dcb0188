import { Module, type INestApplicationContext } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { NestFactory } from '@nestjs/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EventSourcingModule,
  EventStore,
  Projection,
  ProjectionHandler,
  ProjectionManager,
} from 'nestjs-event-sourcing';
import { MoneyDeposited } from '../support/account.domain.js';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js';

/** Polls only once a minute: anything faster must come from a NOTIFY. */
@Projection('slow_poller', { pollIntervalMs: 60_000 })
class SlowPoller {
  readonly seenAt: number[] = [];
  @ProjectionHandler(MoneyDeposited)
  deposited() {
    this.seenAt.push(Date.now());
  }
}

describe('PostgreSQL LISTEN/NOTIFY (PostgreSQL only by nature)', () => {
  let db: TestDatabase;
  let reader: INestApplicationContext;
  let writer: INestApplicationContext;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    const url = (db.options as { url: string }).url;
    @Module({
      imports: [
        CqrsModule.forRoot(),
        EventSourcingModule.forRoot({ type: 'postgres', url, schema: db.schema }),
      ],
      providers: [SlowPoller],
    })
    class ReaderApp {}
    @Module({
      imports: [
        CqrsModule.forRoot(),
        EventSourcingModule.forRoot({ type: 'postgres', url, schema: db.schema, workers: false }),
      ],
    })
    class WriterApp {}
    reader = await NestFactory.createApplicationContext(ReaderApp, { logger: false });
    writer = await NestFactory.createApplicationContext(WriterApp, { logger: false });
    await reader.get(ProjectionManager).waitForCatchUp('slow_poller');
  });
  afterAll(async () => {
    await writer?.close();
    await reader?.close();
    await db?.drop();
  });

  it('wakes a worker in another connection within milliseconds of a committed append', async () => {
    const poller = reader.get(SlowPoller);
    await sleep(200); // the worker has gone to sleep for its 60 s poll
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const appendedAt = Date.now();
      await writer.get(EventStore).appendToStream(`account-n${i}`, [
        {
          type: 'account.deposited',
          data: { accountId: `n${i}`, amount: 1 },
          metadata: { eventVersion: 2 },
        },
      ]);
      const deadline = Date.now() + 5_000;
      while (poller.seenAt.length <= i && Date.now() < deadline) await sleep(2);
      expect(poller.seenAt).toHaveLength(i + 1);
      latencies.push(poller.seenAt[i] - appendedAt);
    }
    expect(Math.max(...latencies)).toBeLessThan(1_000);
  });
});
