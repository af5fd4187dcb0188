import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStore } from 'nestjs-event-sourcing';
import { createApp } from '../../sample-app/src/app.js';
import {
  createTestDatabase,
  type DatabaseKind,
  type TestDatabase,
} from '../support/test-databases.js';
import type { SampleDatabase } from '../../sample-app/src/database-options.js';

function sampleDatabase(db: TestDatabase): SampleDatabase {
  const o = db.options as { url?: string };
  return db.kind === 'postgres'
    ? { type: 'postgres', url: o.url, schema: db.schema }
    : { type: 'mariadb', url: o.url };
}

const WITHDRAWALS = 200;
const DEPOSIT = 10;
/** A safety limit: before the fix the application locked up for good (pool starved). */
const SETTLE_MS = 45_000;

describe.each<DatabaseKind>(['postgres', 'mariadb'])(
  '200 concurrent withdrawals from one account on %s',
  (kind) => {
    let db: TestDatabase;
    let app: INestApplication;
    let http: ReturnType<typeof request>;

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      app = await createApp(sampleDatabase(db));
      await app.init();
      http = request(app.getHttpServer() as never);
    });
    afterAll(async () => {
      await app?.close();
      await db?.drop();
    });

    it('answers every request with 201, 409 or 422 and never overdraws', async () => {
      const opened = await http.post('/accounts').send({ owner: 'crowd' }).expect(201);
      const id = opened.body.accountId as string;
      await http.post(`/accounts/${id}/deposits`).send({ amount: DEPOSIT }).expect(201);

      let timer: NodeJS.Timeout | undefined;
      const statuses = await Promise.race([
        Promise.all(
          Array.from({ length: WITHDRAWALS }, () =>
            http
              .post(`/accounts/${id}/withdrawals`)
              .send({ amount: 1 })
              .then((res) => res.status),
          ),
        ),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`the withdrawals did not settle in ${SETTLE_MS} ms`)),
            SETTLE_MS,
          );
        }),
      ]).finally(() => clearTimeout(timer));

      const counts = new Map<number, number>();
      for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
      expect([...counts.keys()].filter((s) => ![201, 409, 422].includes(s))).toEqual([]);
      const accepted = counts.get(201) ?? 0;
      expect(accepted).toBeGreaterThan(0);
      expect(accepted).toBeLessThanOrEqual(DEPOSIT);

      const stored = await app.get(EventStore).readStream(`account-${id}`);
      const withdrawn = stored.filter((e) => e.type === 'bank.money-withdrawn').length;
      expect(withdrawn).toBe(accepted);
      const account = (await http.get(`/accounts/${id}`).expect(200)).body as {
        balance: number;
        version: number;
      };
      expect(account.balance).toBe(DEPOSIT - accepted);
      expect(account.balance).toBeGreaterThanOrEqual(0);
      expect(account.version).toBe(2 + accepted);
    });
  },
);
