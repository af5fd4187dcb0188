import type { INestApplicationContext } from '@nestjs/common';
import { Injectable, Module, Scope } from '@nestjs/common';
import { CommandBus, CommandHandler, CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Clock,
  EventSourcingModule,
  EventStore,
  ManualClock,
  MessageContext,
  SagaManager,
} from '../../lib/index.js';
import { metadataTestModule, PlaceOrder, ReserveStock } from '../support/saga-metadata.domain.js';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js';

describe.each(['sqlite', 'postgres', 'mariadb'] as const)('saga metadata on %s', (kind) => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  const clock = new ManualClock(new Date('2030-01-01T08:00:00.000Z'));

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const moduleRef = await Test.createTestingModule({
      imports: [metadataTestModule({ dataSource: db.dataSource, schema: db.schema })],
    })
      .overrideProvider(Clock)
      .useValue(clock)
      .compile();
    app = await moduleRef.init();
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('carries the request metadata through a durable saga, a process manager and its timeouts', async () => {
    const orderId = randomUUID();
    const sagas = app.get(SagaManager);
    const store = app.get(EventStore);
    const request = { userId: 'user-7', tenant: 'acme' };
    await MessageContext.run({ correlationId: `req-${orderId}`, metadata: request }, () =>
      app.get(CommandBus).execute(new PlaceOrder(orderId)),
    );
    const read = async (streamId: string) => await store.readStream(streamId);
    const settle = async (check: () => Promise<boolean>) => {
      const deadline = Date.now() + 20_000;
      while (!(await check()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    };
    // Hop 1: durable saga -> request-scoped handler. Hop 2: process manager -> command.
    await settle(async () => (await read(`meta_step-parcel-${orderId}`)).length === 1);
    await sagas.waitForCatchUp();
    clock.advance('61m'); // the timeout, then the command it schedules
    await sagas.waitForScheduled();
    clock.advance('2m');
    await sagas.waitForScheduled();
    await settle(async () => (await read(`meta_order-${orderId}`)).length === 2);

    const events = [
      ...(await read(`meta_order-${orderId}`)),
      ...(await read(`meta_step-stock-${orderId}`)),
      ...(await read(`saga.meta_delivery-${orderId}`)),
      ...(await read(`meta_step-parcel-${orderId}`)),
    ];
    expect(events.map((e) => e.type)).toEqual([
      'meta.order_placed',
      'meta.order_closed',
      'meta.stock_reserved',
      'meta.delivery_started',
      'meta.parcel_shipped',
    ]);
    for (const event of events) {
      expect({ type: event.type, ...event.metadata }).toMatchObject({
        type: event.type,
        ...request,
        correlationId: `req-${orderId}`,
        causationId: expect.any(String),
      });
    }
    const [timeout] = (await sagas.scheduledMessages({ saga: 'meta_delivery' })).filter(
      (m) => m.instance === orderId,
    );
    expect(timeout.metadata).toMatchObject({ ...request, correlationId: `req-${orderId}` });
  });
});

describe('request-scoped command handlers', () => {
  it('refuses at boot one whose execute cannot be wrapped, saying what to do', async () => {
    @Injectable({ scope: Scope.REQUEST })
    @CommandHandler(ReserveStock)
    class ArrowHandler {
      execute = async () => undefined;
    }
    @Module({
      imports: [CqrsModule.forRoot(), EventSourcingModule.forRoot({ type: 'memory' })],
      providers: [ArrowHandler],
    })
    class ArrowModule {}
    const moduleRef = await Test.createTestingModule({ imports: [ArrowModule] }).compile();
    await expect(moduleRef.init()).rejects.toThrow(
      /ArrowHandler.*request- or transient-scoped.*declare execute\(command\) as a method/,
    );
    await moduleRef.close().catch(() => undefined);
  });
});
