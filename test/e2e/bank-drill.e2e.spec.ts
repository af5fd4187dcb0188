import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SagaManager } from 'nestjs-event-sourcing';
import { createApp } from '../../sample-app/src/app.js';
import { auditBank, type BankAudit } from '../support/bank-audit.js';
import { sampleDatabaseOf } from '../support/sample-database.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js';

// Shorter than the outage below, so transfers do time out during it (read when the process loads).
vi.hoisted(() => {
  process.env.TRANSFER_DEBIT_TIMEOUT = '2s';
});
const OUTAGE_MS = 5_000;
const LOAD_MS = 10_000;
const EVERY_MS = 100; // about 10 transfers a second
const ACCOUNTS = 8;
const DEPOSIT = 10_000;

/**
 * Drill: transfers under load while the app's database connections are cut (a TCP proxy between
 * the app and the shared server drops them and refuses new ones) for longer than the transfer
 * timeout, then recovery. Afterwards no money is lost or made.
 */
describe.each(['postgres', 'mariadb'] as const)('bank drill on %s', (kind) => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let app: INestApplication;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const direct = sampleDatabaseOf(db);
    const url = new URL(direct.url!);
    proxy = new TcpProxy(url.hostname, Number(url.port));
    url.port = String((await proxy.start()).port);
    app = await createApp({ ...direct, url: url.toString() });
    await app.init();
    http = request(app.getHttpServer() as never);
  });
  afterAll(async () => {
    proxy?.restore();
    await app?.close();
    await proxy?.stop();
    await db?.drop();
  });

  it('ends every transfer completed, refunded or failed before any debit, and conserves money', async () => {
    const accounts: string[] = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      const { accountId } = (
        await http
          .post('/accounts')
          .send({ owner: `a${i}` })
          .expect(201)
      ).body as { accountId: string };
      await http.post(`/accounts/${accountId}/deposits`).send({ amount: DEPOSIT }).expect(201);
      accounts.push(accountId);
    }
    const before = ACCOUNTS * DEPOSIT;

    const answers = new Map<number, number>();
    const requests: Promise<void>[] = [];
    const started = Date.now();
    let cutAt = 0;
    let restoredAt = 0;
    for (let n = 0; Date.now() - started < LOAD_MS; n++) {
      const elapsed = Date.now() - started;
      if (!cutAt && elapsed > 3_000) {
        proxy.cut();
        cutAt = Date.now();
      }
      if (cutAt && !restoredAt && Date.now() - cutAt > OUTAGE_MS) {
        proxy.restore();
        restoredAt = Date.now();
      }
      const from = accounts[n % ACCOUNTS];
      const to = accounts[(n * 7 + 3) % ACCOUNTS];
      if (from === to) continue;
      requests.push(
        http
          .post('/transfers')
          .timeout(30_000)
          .send({ from, to, amount: 1 + ((n * 37) % 1500) })
          .then(
            (res) => void answers.set(res.status, (answers.get(res.status) ?? 0) + 1),
            () => void answers.set(0, (answers.get(0) ?? 0) + 1),
          ),
      );
      await new Promise((r) => setTimeout(r, EVERY_MS));
    }
    await Promise.all(requests);
    const loadEnded = Date.now();

    // Catch-up: every transfer settles (timeouts are real time here), the read models follow.
    let audit: BankAudit | undefined;
    let auditError: unknown;
    const deadline = Date.now() + 60_000;
    do {
      await new Promise((r) => setTimeout(r, 500));
      audit = await auditBank(app).catch((error: unknown) => void (auditError = error));
    } while (
      Date.now() < deadline &&
      (!audit || audit.broken.length > 0 || audit.readModelErrors.length > 0)
    );
    const sagas = (await app.get(SagaManager).status()).map((s) => ({
      name: s.name,
      state: s.state,
      parked: s.parked.length,
    }));
    console.log(
      `bank drill on ${kind}: ${JSON.stringify({
        outageMs: restoredAt - cutAt,
        catchUpMs: Date.now() - loadEnded,
        answers: Object.fromEntries(answers),
        ...audit,
        broken: audit?.broken.length,
        auditError: audit ? undefined : String(auditError),
        moneyBefore: before,
        moneyAfter: audit?.balances,
        sagas,
      })}`,
    );
    expect(audit!.broken).toEqual([]);
    expect(audit!.readModelErrors).toEqual([]);
    expect(audit!.expectedMoney).toBe(before);
    expect(audit!.balances).toBe(before);
    expect(audit!.transfers).toBeGreaterThan(30);
    expect(audit!.completed + audit!.compensated + audit!.failed).toBe(audit!.transfers);
    expect(sagas.every((s) => s.parked === 0 && s.state !== 'failed')).toBe(true);
  }, 180_000);
});
