import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventSourcingModuleOptions } from 'nestjs-event-sourcing';
import { createApp } from '../../sample-app/src/app.js';
import {
  createTestDatabase,
  type DatabaseKind,
  type TestDatabase,
} from '../support/test-databases.js';

function appOptions(db: TestDatabase): EventSourcingModuleOptions {
  const o = db.options as { url?: string; database?: string };
  if (db.kind === 'postgres') return { type: 'postgres', url: o.url, schema: db.schema };
  if (db.kind === 'mariadb') return { type: 'mariadb', url: o.url };
  return { type: 'better-sqlite3', database: o.database };
}

describe.each<DatabaseKind>(['sqlite', 'postgres', 'mariadb'])(
  'sample app over HTTP on %s',
  (kind) => {
    let db: TestDatabase;
    let app: INestApplication;
    beforeAll(async () => {
      db = await createTestDatabase(kind);
      app = await createApp(appOptions(db));
      await app.init();
    });
    afterAll(async () => {
      await app?.close();
      await db?.drop();
    });

    it('appends events and reads the stream back', async () => {
      const server = app.getHttpServer() as never;
      await request(server)
        .post('/streams/order-1/events')
        .send({
          events: [{ type: 'order.placed', data: { total: 5 } }],
          expectedVersion: 'no_stream',
        })
        .expect(201, { streamId: 'order-1', nextExpectedVersion: 1 });
      const read = await request(server).get('/streams/order-1').expect(200);
      expect(read.body).toMatchObject({
        version: 1,
        events: [{ type: 'order.placed', version: 1, data: { total: 5 } }],
      });
    });

    it('answers a stale expected version with 409 and bad input with 400', async () => {
      const server = app.getHttpServer() as never;
      await request(server)
        .post('/streams/order-2/events')
        .send({ events: [{ type: 'order.placed', data: {} }] })
        .expect(201);
      const conflict = await request(server)
        .post('/streams/order-2/events')
        .send({ events: [{ type: 'order.paid', data: {} }], expectedVersion: 0 })
        .expect(409);
      expect(conflict.body.message).toMatch(/is at version 1, expected 0; reload/);
      await request(server)
        .post('/streams/order-2/events')
        .send({ events: [{ type: '', data: {} }] })
        .expect(400);
      await request(server).post('/streams/order-2/events').send({ nope: true }).expect(400);
    });

    it('follows the global log with a checkpoint', async () => {
      const server = app.getHttpServer() as never;
      await request(server)
        .post('/streams/log-1/events')
        .send({
          events: [
            { type: 'a', data: {} },
            { type: 'b', data: {} },
          ],
        })
        .expect(201);
      const first = await request(server).get('/log').query({ maxCount: 1 }).expect(200);
      expect(first.body.events).toHaveLength(1);
      const all: string[] = [first.body.events[0].type];
      let after: string = first.body.checkpoint;
      for (;;) {
        const page = await request(server).get('/log').query({ after, maxCount: 2 }).expect(200);
        all.push(...page.body.events.map((e: { type: string }) => e.type));
        after = page.body.checkpoint;
        if (page.body.isEnd) break;
      }
      expect(all.slice(-2)).toEqual(['a', 'b']);
      expect(new Set(all).size).toBeGreaterThanOrEqual(3);
    });
  },
);
