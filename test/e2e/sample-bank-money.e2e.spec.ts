import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BALANCE } from '../../sample-app/src/accounts/account.aggregate.js';
import { createApp } from '../../sample-app/src/app.js';
import {
  createTestDatabase,
  type DatabaseKind,
  type TestDatabase,
} from '../support/test-databases.js';
import { sampleDatabaseOf as sampleDatabase } from '../support/sample-database.js';

describe.each<DatabaseKind>(['sqlite', 'postgres', 'mariadb'])(
  'sample bank money on %s',
  (kind) => {
    let db: TestDatabase;
    let app: INestApplication;
    let http: ReturnType<typeof request>;

    const open = async (owner = 'ada') =>
      (await http.post('/accounts').send({ owner }).expect(201)).body.accountId as string;
    const deposit = (id: string, amount: number) =>
      http.post(`/accounts/${id}/deposits`).send({ amount });
    const balanceOf = async (id: string) =>
      (await http.get(`/accounts/${id}`).expect(200)).body.balance as number;
    const settled = async (id: string) => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const res = await http.get(`/transfers/${id}`).expect(200);
        const done = res.body.status !== 'requested' && res.body.status !== 'failed';
        if (done || Date.now() > deadline) return res.body as { status: string; reason?: string };
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };

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

    it('keeps balances past 2^31, and refuses one past the largest balance with 422', async () => {
      const id = await open();
      for (let i = 0; i < 3; i++) await deposit(id, 1_000_000_000).expect(201);
      expect(await balanceOf(id)).toBe(3_000_000_000);
      await http.post(`/accounts/${id}/withdrawals`).send({ amount: 1 }).expect(201);
      expect(await balanceOf(id)).toBe(2_999_999_999);

      const full = await open();
      for (let i = 0; i < MAX_BALANCE / 1_000_000_000; i++) await deposit(full, 1_000_000_000);
      expect(await balanceOf(full)).toBe(MAX_BALANCE);
      const refused = await deposit(full, 1).expect(422);
      expect(refused.body.message).toContain('would pass the largest balance');
      await deposit(full, 1).expect(422);
      expect(await balanceOf(full)).toBe(MAX_BALANCE);
    });

    it('refunds a transfer into an account that would pass the largest balance', async () => {
      const full = await open();
      for (let i = 0; i < MAX_BALANCE / 1_000_000_000; i++) await deposit(full, 1_000_000_000);
      const from = await open();
      await deposit(from, 500).expect(201);
      const { transferId } = (
        await http.post('/transfers').send({ from, to: full, amount: 200 }).expect(202)
      ).body;
      expect(await settled(transferId)).toMatchObject({ status: 'compensated' });
      expect(await balanceOf(from)).toBe(500);
      expect(await balanceOf(full)).toBe(MAX_BALANCE);
    });

    it('takes account ids in any case, as the same lower-case id', async () => {
      const id = await open('case');
      await deposit(id.toUpperCase(), 5).expect(201);
      expect((await http.get(`/accounts/${id.toUpperCase()}`).expect(200)).body).toMatchObject({
        id,
        balance: 5,
      });
      const self = await http
        .post('/transfers')
        .send({ from: id, to: id.toUpperCase(), amount: 1 })
        .expect(400);
      expect(self.body.message).toBe('from and to must be different accounts');
      const other = await open('other');
      const { transferId } = (
        await http
          .post('/transfers')
          .send({ from: id.toUpperCase(), to: other.toUpperCase(), amount: 2 })
          .expect(202)
      ).body;
      expect(await settled(transferId)).toMatchObject({ status: 'completed', from: id, to: other });
      expect((await http.get(`/transfers/${transferId.toUpperCase()}`).expect(200)).body.id).toBe(
        transferId,
      );
    });

    it('answers a body nested 5,000 levels deep with 400', async () => {
      const id = await open();
      const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
      for (const path of [`/accounts/${id}/deposits`, '/transfers', '/accounts']) {
        const res = await http.post(path).set('content-type', 'application/json').send(deep);
        expect(res.status).toBe(400);
      }
    });
  },
);
