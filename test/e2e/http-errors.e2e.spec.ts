import { Logger, type INestApplication, type LoggerService } from '@nestjs/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStore } from 'nestjs-event-sourcing';
import { createApp } from '../../sample-app/src/app.js';
import type { SampleDatabase } from '../../sample-app/src/database-options.js';
import {
  createTestDatabase,
  type DatabaseKind,
  type TestDatabase,
} from '../support/test-databases.js';

function sampleDatabase(db: TestDatabase): SampleDatabase {
  const o = db.options as { url?: string; database?: string };
  if (db.kind === 'postgres') return { type: 'postgres', url: o.url, schema: db.schema };
  if (db.kind === 'mariadb') return { type: 'mariadb', url: o.url };
  return { type: 'better-sqlite3', database: o.database };
}

/** Keeps what Nest's Logger writes at error level, so the test can read the logged detail. */
class ErrorLog implements LoggerService {
  readonly errors: string[] = [];
  log() {}
  warn() {}
  debug() {}
  verbose() {}
  error(message: unknown, ...rest: unknown[]) {
    this.errors.push([message, ...rest].map(String).join('\n'));
  }
}

describe.each<DatabaseKind>(['sqlite', 'postgres', 'mariadb'])(
  'HTTP answers of the sample bank on %s tell clients what they did, never internals',
  (kind) => {
    let db: TestDatabase;
    let app: INestApplication;
    let http: ReturnType<typeof request>;
    const log = new ErrorLog();

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      app = await createApp(sampleDatabase(db));
      app.useLogger(log);
      await app.init();
      http = request(app.getHttpServer() as never);
    });
    afterAll(async () => {
      Logger.overrideLogger(true);
      await app?.close();
      await db?.drop();
    });

    it('a server fault is 500 with a generic body; the detail is logged under its reference', async () => {
      const id = (await http.post('/accounts').send({ owner: 'ada' }).expect(201)).body
        .accountId as string;
      // A stored event no class claims: loading the account fails on the server's side.
      await app
        .get(EventStore)
        .appendToStream(`account-${id}`, [{ type: 'account.internal-secret-type', data: {} }]);
      const res = await http.post(`/accounts/${id}/deposits`).send({ amount: 5 }).expect(500);
      expect(res.body).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'Internal server error',
        reference: expect.stringMatching(/^[0-9a-f]{12}$/) as unknown,
      });
      expect(res.text).not.toContain(id);
      expect(res.text).not.toContain('internal-secret-type');
      const logged = log.errors.find((line) => line.includes(res.body.reference as string));
      expect(logged).toContain('internal-secret-type');
      expect(logged).toContain(`account-${id}`);
    });

    it('text that cannot be stored is 400 about the request, and nothing is stored', async () => {
      const store = app.get(EventStore);
      const head = await store.headCheckpoint();
      const res = await http.post('/accounts').send({ owner: 'a\u0000b' }).expect(400);
      expect(res.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message:
          'the request contains text that cannot be stored (a NUL character or broken Unicode)',
      });
      expect(await store.headCheckpoint()).toBe(head);
    });

    it('a conflict is 409 with the versions the client can act on, no stream names', async () => {
      const id = (await http.post('/accounts').send({ owner: 'ada' }).expect(201)).body
        .accountId as string;
      await http.post(`/accounts/${id}/deposits`).send({ amount: 50 }).expect(201);
      const res = await http
        .post(`/accounts/${id}/withdrawals`)
        .send({ amount: 5, expectedVersion: 1 })
        .expect(409);
      expect(res.body.error).toBe('Conflict');
      expect(res.body.message).toMatch(/at version 2, the request expected 1; fetch it again/);
      expect(res.text).not.toContain(`account-${id}`);
      expect(res.text).not.toContain('aggregate');
    });
  },
);
