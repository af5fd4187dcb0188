import type { INestApplication } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectionManager } from 'nestjs-event-sourcing';
import { DataSource } from 'typeorm';
import { createApp } from '../../sample-app/src/app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js';

/** Polls GET /health until it answers `status`, and returns that answer's body. */
async function healthBecomes(http: ReturnType<typeof request>, status: number) {
  const since = Date.now();
  for (;;) {
    const res = await http.get('/health');
    if (res.status === status || Date.now() - since > 45_000) {
      expect(res.status).toBe(status);
      return res.body as {
        status: string;
        details: Record<
          string,
          { status: string; workers: Record<string, Record<string, unknown>> }
        >;
      };
    }
    await sleep(50);
  }
}

describe('sample bank GET /health (SQLite)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    const { database } = db.options as { database: string };
    app = await createApp({ type: 'better-sqlite3', database });
    await app.init();
    http = request(app.getHttpServer() as never);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('goes down when a projection fails, naming it, and up again once it is fixed and restarted', async () => {
    const up = await healthBecomes(http, 200);
    expect(up.status).toBe('ok');
    expect(up.details['event-sourcing'].workers['projection:account_transactions']).toMatchObject({
      kind: 'projection',
      state: 'running',
      lagEvents: 0,
      lagMs: 0,
      heldBackMs: 0,
      parkedEvents: 0,
    });
    expect(up.details['event-sourcing'].workers['saga:transfer']).toMatchObject({
      kind: 'saga',
      parkedEvents: 0,
    });

    // The projection's table goes away: its batches fail until it is back.
    const dataSource = app.get(DataSource);
    await dataSource.query(
      'ALTER TABLE bank_account_transactions RENAME TO bank_account_transactions_away',
    );
    const id = (await http.post('/accounts').send({ owner: 'ops' }).expect(201)).body
      .accountId as string;
    await http.post(`/accounts/${id}/deposits`).send({ amount: 5 }).expect(201);

    const down = await healthBecomes(http, 503);
    expect(down.status).toBe('error');
    const failed = down.details['event-sourcing'].workers['projection:account_transactions'];
    expect(failed).toMatchObject({
      state: 'failed',
      lagEvents: expect.any(Number),
      problem: 'projection failed; fix the cause, then start it again',
    });
    expect(failed.lagEvents).toBeGreaterThan(0);
    expect(failed.lagMs).toBeGreaterThan(0);

    await dataSource.query(
      'ALTER TABLE bank_account_transactions_away RENAME TO bank_account_transactions',
    );
    await app.get(ProjectionManager).start('account_transactions');
    await app.get(ProjectionManager).waitForCatchUp('account_transactions', { timeoutMs: 10_000 });
    const again = await healthBecomes(http, 200);
    expect(
      again.details['event-sourcing'].workers['projection:account_transactions'],
    ).toMatchObject({ state: 'running', lagEvents: 0 });
    // Nothing was lost while it was down: the deposit made then is listed.
    const listed = (await http.get(`/accounts/${id}/transactions`).expect(200)).body as {
      kind: string;
      amount: number;
    }[];
    expect(listed).toMatchObject([{ kind: 'deposit', amount: 5 }]);
  });
});
