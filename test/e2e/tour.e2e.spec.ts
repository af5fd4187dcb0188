// The README's tour, booted as an application and driven over HTTP: the README's code blocks are
// regions of these very files (docs/snippets), so the tour cannot drift from working code.
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  EventSourcingModule,
  EventStore,
  ProjectionManager,
  SagaManager,
} from 'nestjs-event-sourcing';
import { POSTGRES_URL } from '../support/test-databases.js';

// The tour's AppModule reads DATABASE_URL when it is imported: point it at a database of this
// test's own (created in beforeAll, dropped afterwards) before any import runs.
const pg = vi.hoisted(() => {
  const name = `tour_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const url = new URL(process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  url.pathname = `/${name}`;
  process.env.DATABASE_URL = url.toString();
  return { name, url: url.toString() };
});

const { AppModule, ShopModule, configure } = await import('../../docs/snippets/tour-app.js');
const { OrderSummary } = await import('../../docs/snippets/tour-projection.js');

async function adminQuery(sql: string): Promise<void> {
  const admin = await new DataSource({ type: 'postgres', url: POSTGRES_URL }).initialize();
  try {
    await admin.query(sql);
  } finally {
    await admin.destroy();
  }
}

const setups = {
  /** The README's AppModule exactly as shown, on a PostgreSQL database of its own. */
  postgres: {
    async create() {
      await adminQuery(`CREATE DATABASE "${pg.name}"`);
      return configure(await NestFactory.create(AppModule, { logger: ['error', 'warn'] }));
    },
    drop: () => adminQuery(`DROP DATABASE IF EXISTS "${pg.name}" WITH (FORCE)`),
  },
  /** The same ShopModule under the same shortest wiring, on an embedded SQLite file. */
  sqlite: (() => {
    const file = join(tmpdir(), `tour-${randomBytes(4).toString('hex')}.sqlite`);
    return {
      async create() {
        const root = {
          module: class SqliteTourModule {},
          imports: [
            CqrsModule.forRoot(),
            EventSourcingModule.forRoot({
              type: 'better-sqlite3',
              database: file,
              entities: [OrderSummary],
              synchronize: true,
            }),
            ShopModule,
          ],
        };
        return configure(await NestFactory.create(root, { logger: ['error', 'warn'] }));
      },
      drop() {
        for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
      },
    };
  })(),
};

describe.each(['sqlite', 'postgres'] as const)('the README tour on %s', (kind) => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    app = await setups[kind].create();
    await app.init();
    http = request(app.getHttpServer() as never);
  });
  afterAll(async () => {
    await app?.close();
    await setups[kind].drop();
  });

  it('places and ships an order; the projection, the saga and the history follow', async () => {
    const placed = await http
      .post('/orders')
      .set('x-correlation-id', 'tour-1')
      .send({ total: 10 })
      .expect(201);
    const id = placed.body.orderId as string;
    await http.post(`/orders/${id}/shipment`).send({ carrier: 'ups' }).expect(201);

    await app.get(ProjectionManager).waitForCatchUp('order_summary', { timeoutMs: 20_000 });
    await http.get(`/orders/${id}`).expect(200, { id, total: 10, status: 'shipped' });

    const history = (await http.get(`/orders/${id}/history`).expect(200)).body as {
      version: number;
      type: string;
      correlationId: string;
    }[];
    expect(history.map((e) => [e.version, e.type])).toEqual([
      [1, 'shop.order-placed'],
      [2, 'shop.order-shipped'],
    ]);
    expect(history[0].correlationId).toBe('tour-1');

    // The durable saga turned OrderPlaced into ReserveStock, whose handler saved a reservation.
    await app.get(SagaManager).waitForCatchUp('order-fulfilment', { timeoutMs: 20_000 });
    const reservation = await app.get(EventStore).readStream(`reservation-${id}`);
    expect(reservation.map((e) => e.type)).toEqual(['shop.stock-reserved']);
    expect(reservation[0].metadata.correlationId).toBe('tour-1'); // the request's id, carried on
  });

  it('answers a broken business rule with 422 and stores nothing', async () => {
    const refused = await http.post('/orders').send({ total: 0 }).expect(422);
    expect(refused.body.message).toBe('an order needs a positive total');

    const id = (
      (await http.post('/orders').send({ total: 5 }).expect(201)).body as {
        orderId: string;
      }
    ).orderId;
    await http.post(`/orders/${id}/shipment`).send({ carrier: 'ups' }).expect(201);
    const again = await http.post(`/orders/${id}/shipment`).send({ carrier: 'dhl' }).expect(422);
    expect(again.body.message).toBe(`order ${id} is already shipped`);
    const types = ((await http.get(`/orders/${id}/history`)).body as { type: string }[]).map(
      (e) => e.type,
    );
    expect(types.filter((t) => t === 'shop.order-shipped')).toHaveLength(1);
  });

  it('answers an unknown order with 404', async () => {
    const missing = randomUUID();
    await http.post(`/orders/${missing}/shipment`).send({ carrier: 'ups' }).expect(404);
    await http.get(`/orders/${missing}`).expect(404);
  });
});
