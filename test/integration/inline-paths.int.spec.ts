import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EventRegistry,
  EventStore,
  Projection,
  ProjectionHandler,
  SagaManager,
  type ProjectionContext,
} from 'nestjs-event-sourcing';
import {
  OrderPlaced,
  ShippingStarted,
  shippingTestModule,
} from '../support/saga-shipping.domain.js';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js';

/** An inline projection of an event only a process manager appends. */
@Injectable()
@Projection('shipping_log', { mode: 'inline' })
class ShippingLog {
  @ProjectionHandler(ShippingStarted)
  async started(event: ShippingStarted, ctx: ProjectionContext) {
    await ctx.emit(`shipping_log-${event.orderId}`, [{ type: 'shipping_log.started', data: {} }]);
  }
}

describe.each(['memory', 'sqlite', 'postgres', 'mariadb'] as const)(
  'inline projections of process-manager events on %s',
  (kind) => {
    let db: TestDatabase | undefined;
    let app: INestApplicationContext;

    beforeAll(async () => {
      if (kind !== 'memory') db = await createTestDatabase(kind);
      const store = db
        ? { dataSource: db.dataSource, schema: db.schema }
        : { type: 'memory' as const };
      @Module({ imports: [shippingTestModule(store)], providers: [ShippingLog] })
      class AppModule {}
      app = await (await Test.createTestingModule({ imports: [AppModule] }).compile()).init();
    });
    afterAll(async () => {
      await app?.close();
      await db?.drop();
    });

    it('runs in the transaction of the process manager’s append', async () => {
      const orderId = randomUUID();
      const placed = app.get(EventRegistry).serialize(new OrderPlaced(orderId, 42));
      const store = app.get(EventStore);
      await store.appendToStream(`order-${orderId}`, [placed], {
        metadata: { correlationId: orderId },
      });
      await app.get(SagaManager).waitForCatchUp('shipping', { timeoutMs: 20_000 });
      const log = await store.readStream(`shipping_log-${orderId}`);
      expect(log.map((e) => e.type)).toEqual(['shipping_log.started']);
    });
  },
);
