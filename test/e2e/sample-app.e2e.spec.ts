import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStore, ProjectionManager, SnapshotStore } from 'nestjs-event-sourcing';
import { createApp } from '../../sample-app/src/app.js';
import type { SampleDatabase } from '../../sample-app/src/database-options.js';
import {
  createTestDatabase,
  type DatabaseKind,
  type TestDatabase,
} from '../support/test-databases.js';

export function sampleDatabase(db: TestDatabase): SampleDatabase {
  const o = db.options as { url?: string; database?: string };
  if (db.kind === 'postgres') return { type: 'postgres', url: o.url, schema: db.schema };
  if (db.kind === 'mariadb') return { type: 'mariadb', url: o.url };
  return { type: 'better-sqlite3', database: o.database };
}

describe.each<DatabaseKind>(['sqlite', 'postgres', 'mariadb'])(
  'sample bank over HTTP on %s',
  (kind) => {
    let db: TestDatabase;
    let app: INestApplication;
    let http: ReturnType<typeof request>;

    const open = async (owner = 'ada') => {
      const res = await http.post('/accounts').send({ owner }).expect(201);
      return res.body.accountId as string;
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

    it('opens an account, deposits, withdraws, and shows the balance at once', async () => {
      const id = await open('ada');
      await http.post(`/accounts/${id}/deposits`).send({ amount: 100 }).expect(201, { version: 2 });
      await http
        .post(`/accounts/${id}/withdrawals`)
        .send({ amount: 30 })
        .expect(201, { version: 3 });
      const res = await http.get(`/accounts/${id}`).expect(200);
      expect(res.body).toEqual({ id, owner: 'ada', balance: 70, status: 'open', version: 3 });
    });

    it('refuses an overdraft with 422 and stores nothing', async () => {
      const id = await open();
      await http.post(`/accounts/${id}/deposits`).send({ amount: 10 }).expect(201);
      const res = await http.post(`/accounts/${id}/withdrawals`).send({ amount: 11 }).expect(422);
      expect(res.body.message).toBe(`account ${id} has 10, cannot withdraw 11`);
      expect((await http.get(`/accounts/${id}/history`).expect(200)).body).toHaveLength(2);
    });

    it('answers bad input with 400, a missing account with 404, a stale version with 409', async () => {
      const id = await open();
      await http.post(`/accounts/${id}/deposits`).send({ amount: -5 }).expect(400);
      await http.post(`/accounts/${id}/deposits`).send({ amount: 'ten' }).expect(400);
      await http.post(`/accounts/${id}/deposits`).send({ amount: 5, bonus: true }).expect(400);
      await http.post('/accounts').send({}).expect(400);
      await http.get('/accounts/not-a-uuid').expect(400);
      const missing = randomUUID();
      await http.get(`/accounts/${missing}`).expect(404);
      await http.post(`/accounts/${missing}/deposits`).send({ amount: 5 }).expect(404);
      await http.get(`/accounts/${missing}/history`).expect(404);

      await http.post(`/accounts/${id}/deposits`).send({ amount: 50 }).expect(201);
      const conflict = await http
        .post(`/accounts/${id}/withdrawals`)
        .send({ amount: 5, expectedVersion: 1 })
        .expect(409);
      expect(conflict.body.message).toMatch(/is at version 2, the request expected 1/);
      await http
        .post(`/accounts/${id}/withdrawals`)
        .send({ amount: 5, expectedVersion: 2 })
        .expect(201);
    });

    it('answers "what exactly happened" with every event, its time, correlation and causation', async () => {
      const id = await open('audit');
      await http
        .post(`/accounts/${id}/deposits`)
        .set('x-correlation-id', 'dispute-4711')
        .send({ amount: 25 })
        .expect('x-correlation-id', 'dispute-4711')
        .expect(201);
      const history = (await http.get(`/accounts/${id}/history`).expect(200)).body;
      expect(history).toHaveLength(2);
      expect(history[1]).toMatchObject({
        version: 2,
        type: 'bank.money-deposited',
        data: { accountId: id, amount: 25 },
        correlationId: 'dispute-4711',
      });
      expect(history[1].causationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(history[1].causationId).not.toBe(history[0].causationId);
      expect(new Date(history[1].occurredAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    });

    it('reads deposits stored in the old version-1 format through the upcaster', async () => {
      const id = await open('legacy');
      await app.get(EventStore).appendToStream(`account-${id}`, [
        {
          type: 'bank.money-deposited',
          data: { accountId: id, cents: 1200 },
          metadata: { eventVersion: 1 },
        },
      ]);
      await http.post(`/accounts/${id}/withdrawals`).send({ amount: 12 }).expect(201);
      await http.post(`/accounts/${id}/withdrawals`).send({ amount: 1 }).expect(422);
    });

    it('lists transactions from the async projection, and a rebuild reproduces them', async () => {
      const id = await open('list');
      for (const amount of [5, 7, 9])
        await http.post(`/accounts/${id}/deposits`).send({ amount }).expect(201);
      await http.post(`/accounts/${id}/withdrawals`).send({ amount: 4 }).expect(201);
      const projections = app.get(ProjectionManager);
      await projections.waitForCatchUp('account_transactions', { timeoutMs: 20_000 });
      const before = (await http.get(`/accounts/${id}/transactions`).expect(200)).body;
      expect(before.map((t: { kind: string; amount: number }) => [t.kind, t.amount])).toEqual([
        ['deposit', 5],
        ['deposit', 7],
        ['deposit', 9],
        ['withdrawal', 4],
      ]);
      await projections.rebuild('account_transactions');
      expect((await http.get(`/accounts/${id}/transactions`).expect(200)).body).toEqual(before);
    });

    const transferOf = async (id: string, until: (status: string) => boolean) => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const res = await http.get(`/transfers/${id}`).expect(200);
        if (until(res.body.status as string) || Date.now() > deadline) return res.body;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    const balanceOf = async (id: string) =>
      (await http.get(`/accounts/${id}`).expect(200)).body.balance;

    it('transfers money between accounts through the transfer process', async () => {
      const from = await open('payer');
      const to = await open('payee');
      await http.post(`/accounts/${from}/deposits`).send({ amount: 100 }).expect(201);
      const { transferId } = (
        await http.post('/transfers').send({ from, to, amount: 30 }).expect(202)
      ).body;
      expect(await transferOf(transferId, (s) => s !== 'requested')).toMatchObject({
        status: 'completed',
      });
      expect(await balanceOf(from)).toBe(70);
      expect(await balanceOf(to)).toBe(30);
    });

    it('refunds the source when the credit is refused (compensation)', async () => {
      const from = await open('payer');
      const to = await open('closed');
      await http.post(`/accounts/${to}/close`).expect(200);
      await http.post(`/accounts/${from}/deposits`).send({ amount: 100 }).expect(201);
      const { transferId } = (
        await http.post('/transfers').send({ from, to, amount: 40 }).expect(202)
      ).body;
      const transfer = await transferOf(transferId, (s) => s === 'compensated');
      expect(transfer).toMatchObject({ status: 'compensated', reason: `account ${to} is closed` });
      expect(await balanceOf(from)).toBe(100);
      const history = (await http.get(`/accounts/${from}/history`).expect(200)).body;
      expect(history.map((e: { type: string }) => e.type)).toEqual([
        'bank.account-opened',
        'bank.money-deposited',
        'bank.money-withdrawn',
        'bank.money-deposited',
      ]);
      expect(history[2].data.transferId).toBe(transferId);
      expect(history[3].data.transferId).toBe(transferId);
    });

    it('fails a transfer the source cannot cover, moving nothing', async () => {
      const from = await open('poor');
      const to = await open('payee');
      const { transferId } = (
        await http.post('/transfers').send({ from, to, amount: 5 }).expect(202)
      ).body;
      expect(await transferOf(transferId, (s) => s !== 'requested')).toMatchObject({
        status: 'failed',
        reason: `account ${from} has 0, cannot withdraw 5`,
      });
      expect(await balanceOf(to)).toBe(0);
      await http.post('/transfers').send({ from, to: from, amount: 5 }).expect(400);
      await http.post('/transfers').send({ from, to, amount: 0 }).expect(400);
    });

    it('snapshots a busy account every 50 events and still loads it right', async () => {
      const id = await open('busy');
      for (let i = 0; i < 60; i++)
        await http.post(`/accounts/${id}/deposits`).send({ amount: 1 }).expect(201);
      const snapshot = await app.get(SnapshotStore).load(`account-${id}`);
      expect(snapshot).toMatchObject({ version: 50, state: { balance: 49 } });
      await http.post(`/accounts/${id}/withdrawals`).send({ amount: 60 }).expect(201);
      await http.post(`/accounts/${id}/withdrawals`).send({ amount: 1 }).expect(422);
    });

    it('finishes a transfer requested while no worker ran, after a restart', async () => {
      await app.close();
      const offline = await createApp({ ...sampleDatabase(db), workers: false });
      await offline.init();
      const offlineHttp = request(offline.getHttpServer() as never);
      const open2 = async (owner: string) =>
        (await offlineHttp.post('/accounts').send({ owner }).expect(201)).body.accountId as string;
      const from = await open2('before');
      const to = await open2('restart');
      await offlineHttp.post(`/accounts/${from}/deposits`).send({ amount: 50 }).expect(201);
      const { transferId } = (
        await offlineHttp.post('/transfers').send({ from, to, amount: 20 }).expect(202)
      ).body;
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await offlineHttp.get(`/transfers/${transferId}`).expect(200)).body.status).toBe(
        'requested',
      );
      await offline.close();

      app = await createApp(sampleDatabase(db));
      await app.init();
      http = request(app.getHttpServer() as never);
      expect(await transferOf(transferId, (s) => s !== 'requested')).toMatchObject({
        status: 'completed',
      });
      expect(await balanceOf(to)).toBe(20);
    });
  },
);
