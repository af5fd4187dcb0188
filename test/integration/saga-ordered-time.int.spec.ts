import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clock, EventRegistry, EventStore, ManualClock, SagaManager } from '../../lib/index.js';
import { removeCompiledSagaChild, startSagaChild } from '../support/saga-child-process.js';
import {
  OrderPacked,
  OrderPlaced,
  PaymentReceived,
  ShippingGate,
  ShippingSaga,
  shippingTestModule,
} from '../support/saga-shipping.domain.js';
import type { ShippingChildConfig } from '../support/shipping-child.js';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js';

const SHIPPING_CHILD = 'test/support/shipping-child.ts';

/**
 * A timeout due at T reaches the process manager only after it handled every event committed
 * before T; an event committed after the timeout fired still reaches it (and is compensated).
 */
describe.each(['sqlite', 'postgres', 'mariadb'] as const)('ordered time on %s', (kind) => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let sagas: SagaManager;
  let store: EventStore;
  const clock = new ManualClock(new Date('2030-01-01T08:00:00.000Z'));

  async function boot(workers = true) {
    const moduleRef = await Test.createTestingModule({
      imports: [shippingTestModule({ dataSource: db.dataSource, schema: db.schema }, { workers })],
    })
      .overrideProvider(Clock)
      .useValue(clock)
      .compile();
    app = await moduleRef.init();
    sagas = app.get(SagaManager);
    store = app.get(EventStore);
  }

  async function append(streamId: string, event: object, correlationId?: string) {
    await store.appendToStream(streamId, [app.get(EventRegistry).serialize(event)], {
      metadata: correlationId ? { correlationId } : {},
    });
  }

  async function placeOrder(orderId: string) {
    await append(`order-${orderId}`, new OrderPlaced(orderId, 30));
  }

  async function pay(orderId: string) {
    await append(`payment-${orderId}`, new PaymentReceived(orderId, 30));
  }

  async function shipment(orderId: string) {
    return (await store.readStream(`shipment-${orderId}`)).map((e) => e.type);
  }

  async function timeoutOf(orderId: string) {
    const all = await sagas.scheduledMessages({ saga: 'shipping' });
    return all.find((m) => m.instance === orderId && m.key === 'payment')!;
  }

  async function settle(check: () => Promise<boolean>) {
    const deadline = Date.now() + 30_000;
    while (!(await check()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(await check()).toBe(true);
  }

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    await boot();
  });
  afterAll(async () => {
    await app?.close();
    removeCompiledSagaChild();
    await db?.drop();
  });

  it('(a) handles an event stored before the due time first, though its worker was stopped past it', async () => {
    const orderId = `o-${randomUUID()}`;
    await placeOrder(orderId);
    await sagas.waitForCatchUp('shipping');
    const due = (await timeoutOf(orderId)).dueAt;

    await sagas.stop('shipping');
    // While it is stopped: another order that will hold the worker in its ShipOrder command (so
    // it lags when it starts), then the payment, both before the due time.
    const other = `o-${randomUUID()}`;
    await placeOrder(other);
    await pay(other);
    await append(`warehouse-${other}`, new OrderPacked('parcel-9'), other);
    await pay(orderId);
    const head = await store.headCheckpoint();
    clock.advance('16m');
    let open!: () => void;
    app.get(ShippingGate).closed = new Promise<void>((resolve) => (open = resolve));
    await sagas.start('shipping');

    await settle(async () => (await timeoutOf(orderId)).waitsFor !== undefined);
    // Several scheduler polls (250 ms) while the saga lags: the timeout waits, and says for what.
    await new Promise((r) => setTimeout(r, 1000));
    const [status] = await sagas.status();
    expect(status.nextScheduled.find((m) => m.instance === orderId)).toEqual({
      id: expect.any(String),
      type: 'shipping.payment_timed_out',
      instance: orderId,
      dueAt: due,
      waitsFor: head,
    });
    expect((await sagas.load(ShippingSaga, orderId))?.status).toBe('awaiting-payment');

    open();
    await sagas.waitForCatchUp('shipping', { timeoutMs: 20_000 });
    await sagas.waitForScheduled({ timeoutMs: 20_000 });
    expect((await sagas.load(ShippingSaga, orderId))?.status).toBe('paid');
    expect((await timeoutOf(orderId)).status).toBe('cancelled');
    expect(await shipment(orderId)).toEqual([]);
    expect(await shipment(other)).toEqual(['shipment.shipped']);
  });

  it('(b) fires the timeout first for an event stored after the due time, then still delivers it', async () => {
    const orderId = `o-${randomUUID()}`;
    await placeOrder(orderId);
    await sagas.waitForCatchUp('shipping');
    clock.advance('16m');
    await sagas.waitForScheduled({ timeoutMs: 20_000 });
    expect((await sagas.load(ShippingSaga, orderId))?.status).toBe('cancelled');

    await pay(orderId);
    await sagas.waitForCatchUp('shipping', { timeoutMs: 20_000 });
    expect((await sagas.load(ShippingSaga, orderId))?.status).toBe('refunded');
    expect(await shipment(orderId)).toEqual(['shipment.cancelled', 'shipment.refunded']);
  });

  it('(c) keeps both orders across a SIGKILL and a new process started past the due time', async () => {
    await app.close();
    await boot(false); // this process only writes and reads; the children run the saga
    const start = clock.now();
    const config = (now: Date): ShippingChildConfig => ({
      options: db.options,
      schema: db.schema,
      now: now.toISOString(),
    });
    const first = await startSagaChild(config(start), SHIPPING_CHILD);
    await first.printed('ready');
    const paidInTime = `o-${randomUUID()}`;
    const paidLate = `o-${randomUUID()}`;
    await placeOrder(paidInTime);
    await placeOrder(paidLate);
    await settle(async () => (await timeoutOf(paidLate)) !== undefined);
    await settle(async () => (await timeoutOf(paidInTime)) !== undefined);
    expect(await first.kill()).toBe('SIGKILL');

    await pay(paidInTime); // before the due time, while no process runs the saga
    const second = await startSagaChild(
      config(new Date(start.getTime() + 16 * 60_000)),
      SHIPPING_CHILD,
    );
    await second.printed('ready');
    await settle(async () => (await timeoutOf(paidLate)).status === 'delivered');
    await settle(async () => (await sagas.load(ShippingSaga, paidInTime))?.status === 'paid');
    expect((await timeoutOf(paidInTime)).status).toBe('cancelled');
    expect((await sagas.load(ShippingSaga, paidLate))?.status).toBe('cancelled');

    await pay(paidLate); // after the timeout fired
    // Its commands are sent after the saga's events are stored: wait for what they did.
    await settle(async () => (await shipment(paidLate)).length === 2);
    expect((await sagas.load(ShippingSaga, paidLate))?.status).toBe('refunded');
    expect(await shipment(paidLate)).toEqual(['shipment.cancelled', 'shipment.refunded']);
    expect(await shipment(paidInTime)).toEqual([]);
    await second.kill();
  });
});
