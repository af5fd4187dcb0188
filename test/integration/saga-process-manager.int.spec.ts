import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Clock,
  EventRegistry,
  EventStore,
  ManualClock,
  SagaManager,
  type ProcessManager,
} from 'nestjs-event-sourcing';
import { EventStoreConnection } from '../../lib/nest/event-store-connection.js';
import {
  OrderPacked,
  OrderPlaced,
  PaymentReceived,
  ShippingSaga,
  shippingTestModule,
} from '../support/saga-shipping.domain.js';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js';

describe.each(['sqlite', 'postgres', 'mariadb'] as const)('process managers on %s', (kind) => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let sagas: SagaManager;
  let store: EventStore;
  const clock = new ManualClock(new Date('2030-01-01T08:00:00.000Z'));

  async function boot() {
    const moduleRef = await Test.createTestingModule({
      imports: [shippingTestModule({ dataSource: db.dataSource, schema: db.schema })],
    })
      .overrideProvider(Clock)
      .useValue(clock)
      .compile();
    app = await moduleRef.init();
    sagas = app.get(SagaManager);
    store = app.get(EventStore);
  }

  async function restart() {
    await app.close();
    await boot();
  }

  async function append(streamId: string, event: object, correlationId?: string) {
    const serialized = app.get(EventRegistry).serialize(event);
    await store.appendToStream(streamId, [serialized], {
      metadata: correlationId ? { correlationId } : {},
    });
  }

  async function caughtUp() {
    await sagas.waitForCatchUp('shipping', { timeoutMs: 20_000 });
  }

  /** What the commands did to the order's Shipment. */
  async function shipment(orderId: string) {
    const events = await store.readStream(`shipment-${orderId}`);
    return events.map((e) => `${e.type} ${JSON.stringify(e.data)}`);
  }

  async function scheduled(orderId: string) {
    const all = await sagas.scheduledMessages({ saga: 'shipping' });
    return all
      .filter((m) => m.instance === orderId)
      .map((m) => ({ key: m.key, kind: m.kind, type: m.type, status: m.status }));
  }

  function state(saga: ProcessManager | undefined) {
    return saga && { ...(saga.toSnapshot() as object), version: saga.version };
  }

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    await boot();
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const shipped = `o-${randomUUID()}`;

  it('creates its tables with the store and lists them in the connection schema', async () => {
    const sql = app.get(EventStoreConnection).schemaSql().join(';\n');
    expect(sql).toContain('es_saga_failures');
    expect(sql).toContain('es_scheduled_messages');
    expect(await sagas.scheduledMessages()).toEqual([]);
    expect(await app.get(SagaManager).status()).toHaveLength(1);
  });

  it('follows an order across three events correlated by property, function and correlation id', async () => {
    await append(`order-${shipped}`, new OrderPlaced(shipped, 42), shipped);
    await append(`payment-${shipped}`, new PaymentReceived(shipped, 42), 'psp-7'); // by function
    await append(`warehouse-${shipped}`, new OrderPacked('parcel-1'), shipped); // by metadata
    await append('payment-stray', new PaymentReceived('nobody', 1), 'psp-8'); // no instance
    await caughtUp();

    const saga = await sagas.load(ShippingSaga, shipped);
    expect(saga).toBeInstanceOf(ShippingSaga);
    expect(state(saga)).toMatchObject({
      status: 'packed',
      orderId: shipped,
      total: 42,
      paid: 42,
      parcelId: 'parcel-1',
      version: 3,
    });
    const stream = await store.readStream(`saga.shipping-${shipped}`);
    expect(stream.map((e) => e.type)).toEqual([
      'shipping.started',
      'shipping.paid',
      'shipping.packed',
    ]);
    expect(stream.map((e) => e.metadata.correlationId)).toEqual([shipped, 'psp-7', shipped]);
    expect(await sagas.load(ShippingSaga, 'nobody')).toBeUndefined();
    // The command its last handler returned, sent once its event was stored.
    expect(await shipment(shipped)).toEqual(['shipment.shipped {"parcelId":"parcel-1"}']);
    expect(await scheduled(shipped)).toEqual([
      { key: 'payment', kind: 'event', type: 'shipping.payment_timed_out', status: 'cancelled' },
      { key: 'packing', kind: 'command', type: 'shop.cancel_order', status: 'cancelled' },
    ]);
    const status = (await sagas.status()).find((s) => s.name === 'shipping')!;
    expect(status).toMatchObject({ kind: 'event-sourced', state: 'running', parked: [] });
  });

  it('has the same state after a restart, and goes on from it', async () => {
    const before = state(await sagas.load(ShippingSaga, shipped));
    await restart();
    expect(state(await sagas.load(ShippingSaga, shipped))).toEqual(before);
    // Packed again: the rebuilt state (packed) makes the handler ignore it; nothing is re-sent.
    await append(`warehouse-${shipped}`, new OrderPacked('parcel-2'), shipped);
    await caughtUp();
    expect(state(await sagas.load(ShippingSaga, shipped))).toEqual(before);
    expect(await shipment(shipped)).toEqual(['shipment.shipped {"parcelId":"parcel-1"}']);
  });

  it('fires a timeout when the awaited event does not come, even across a restart', async () => {
    const unpaid = `o-${randomUUID()}`;
    await append(`order-${unpaid}`, new OrderPlaced(unpaid, 10), unpaid);
    await caughtUp();
    const [timeout] = await sagas.scheduledMessages({ saga: 'shipping', status: 'pending' });
    expect(timeout).toMatchObject({ instance: unpaid, key: 'payment', kind: 'event' });
    expect(timeout.dueAt.getTime() - clock.now().getTime()).toBe(15 * 60_000);

    await restart(); // the timeout is in the database, not in memory
    clock.advance('14m');
    await sagas.waitForScheduled();
    expect((await sagas.load(ShippingSaga, unpaid))?.status).toBe('awaiting-payment');

    clock.advance('2m');
    await sagas.waitForScheduled();
    expect(state(await sagas.load(ShippingSaga, unpaid))).toMatchObject({
      status: 'cancelled',
      reason: 'payment timed out',
      version: 2,
    });
    expect(await shipment(unpaid)).toEqual(['shipment.cancelled {"reason":"payment timed out"}']);
    expect(await scheduled(unpaid)).toEqual([
      { key: 'payment', kind: 'event', type: 'shipping.payment_timed_out', status: 'delivered' },
    ]);
  });

  it('does not fire a timeout when the awaited event comes, and sends a scheduled command when due', async () => {
    const paid = `o-${randomUUID()}`;
    await append(`order-${paid}`, new OrderPlaced(paid, 5), paid);
    await append(`payment-${paid}`, new PaymentReceived(paid, 5), paid);
    await caughtUp();
    clock.advance('16m');
    await sagas.waitForScheduled();
    expect((await sagas.load(ShippingSaga, paid))?.status).toBe('paid');
    expect(await shipment(paid)).toEqual([]);

    // Paid but never packed: the command it scheduled for two days later is sent then.
    clock.advance('2d');
    await sagas.waitForScheduled();
    expect(await shipment(paid)).toEqual(['shipment.cancelled {"reason":"not packed in time"}']);
    expect(await scheduled(paid)).toEqual([
      { key: 'payment', kind: 'event', type: 'shipping.payment_timed_out', status: 'cancelled' },
      { key: 'packing', kind: 'command', type: 'shop.cancel_order', status: 'delivered' },
    ]);
    // The shipped order's timeouts were cancelled: nothing fired for it.
    expect(await shipment(shipped)).toEqual(['shipment.shipped {"parcelId":"parcel-1"}']);
  });
});
