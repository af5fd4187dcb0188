import type { INestApplicationContext } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EventSourcingHealthIndicator,
  EventSourcingModule,
  EventStore,
  ProjectionManager,
  SagaManager,
} from 'nestjs-event-sourcing';
import { captureLogs } from '../support/captured-logs.js';
import { LagProjection } from '../support/lag.projection.js';
import {
  CountTaskHandler,
  SagaProbe,
  Tally,
  TASK_SAGA,
  TaskSagas,
} from '../support/saga.domain.js';
import { DataSource } from 'typeorm';
import { POSTGRES_URL } from '../support/test-databases.js';

/** A session that opens a transaction, takes a transaction id and then sits idle in it. */
async function idleWriter(database: string, applicationName: string) {
  const client = new pg.Client({
    connectionString: urlOf(database),
    application_name: applicationName,
  });
  await client.connect();
  await client.query('BEGIN');
  const { rows } = await client.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  return {
    xid: rows[0].xid,
    pid,
    async end() {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    },
  };
}

/** A fresh database of the shared server: what other tests leave open in theirs cannot interfere. */
function urlOf(database: string): string {
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

describe('PostgreSQL: readers are held back only by transactions of their own database', () => {
  let dataSource: DataSource;
  let app: INestApplicationContext;
  let store: EventStore;
  let probe: LagProjection;
  let projections: ProjectionManager;
  const logs = captureLogs();
  const ownDatabase = `ops_own_${randomBytes(5).toString('hex')}`;
  const otherDatabase = `ops_other_${randomBytes(5).toString('hex')}`;
  let admin: pg.Client;

  /** Appends a ping and resolves with the ms until the projection handled it (or `limitMs`). */
  async function lagOfOnePing(limitMs: number): Promise<number> {
    const id = randomUUID();
    await store.appendToStream(`ping-${id}`, [{ type: 'ops.pinged', data: { id } }]);
    const appendedAt = Date.now();
    while (!probe.handledAt.has(id) && Date.now() - appendedAt < limitMs) await sleep(10);
    return (probe.handledAt.get(id) ?? Date.now()) - appendedAt;
  }

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${otherDatabase}"`);
    await admin.query(`CREATE DATABASE "${ownDatabase}"`);
    dataSource = await new DataSource({ type: 'postgres', url: urlOf(ownDatabase) }).initialize();
    const moduleRef = await Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        EventSourcingModule.forRoot({
          dataSource,
          heldBackWarningMs: 400,
        }),
        EventSourcingModule.forFeature([Tally]),
      ],
      providers: [LagProjection, SagaProbe, CountTaskHandler, TaskSagas],
    })
      .setLogger(logs.logger)
      .compile();
    app = await moduleRef.init();
    store = app.get(EventStore);
    probe = app.get(LagProjection);
    projections = app.get(ProjectionManager);
    const first = await lagOfOnePing(10_000);
    if (first >= 10_000) console.info(logs.lines);
    expect(first).toBeLessThan(10_000);
  });
  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy();
    await admin.query(`DROP DATABASE IF EXISTS "${otherDatabase}" WITH (FORCE)`);
    await admin.query(`DROP DATABASE IF EXISTS "${ownDatabase}" WITH (FORCE)`);
    await admin.end();
    logs.restore();
  });

  it('an idle transaction holding an xid in another database does not hold a projection back', async () => {
    const other = await idleWriter(otherDatabase, 'ops-other-db-idle');
    try {
      await sleep(200);
      const lags: number[] = [];
      for (let i = 0; i < 5; i++) lags.push(await lagOfOnePing(5_000));
      console.info(`lag with an idle xid in another database: ${lags.join(', ')} ms`);
      expect(Math.max(...lags)).toBeLessThan(1_000);
      const [status] = await projections.status();
      expect(status.heldBackMs).toBeLessThan(400);
      expect(logs.lines.filter((l) => l.message.includes('held back for'))).toEqual([]);
    } finally {
      await other.end();
    }
  });

  it('one in the same database holds it back (nothing is skipped) and raises the alarm once, then clears', async () => {
    const blocker = await idleWriter(ownDatabase, 'ops-same-db-idle');
    const id = randomUUID();
    let released = false;
    try {
      await store.appendToStream(`ping-${id}`, [{ type: 'ops.pinged', data: { id } }]);
      await sleep(1_200);
      // Safe: the event committed after the blocker took its id, so it waits for the blocker.
      expect(probe.handledAt.has(id)).toBe(false);
      const warnings = logs.lines.filter(
        (l) => l.level === 'warn' && l.message.includes('held back'),
      );
      expect(warnings).toHaveLength(1);
      expect(warnings[0].context).toBe('EventSourcing');
      expect(warnings[0].message).toMatch(
        new RegExp(
          `readers of the event log held back for \\d+ ms \\(workers projection lag_probe, saga ` +
            `${TASK_SAGA} see no ` +
            `event committed after it until it ends\\) by pid ${blocker.pid} \\(database ` +
            `"${ownDatabase}", application_name "ops-same-db-idle", state idle ` +
            `in transaction, transaction open \\d+ ms, query started \\d{4}-\\d\\d-\\d\\dT`,
        ),
      );
      const [status] = await projections.status();
      expect(status.heldBackMs).toBeGreaterThanOrEqual(1_000);
      const [saga] = await app.get(SagaManager).status();
      expect(saga).toMatchObject({ name: TASK_SAGA, heldBackMs: expect.any(Number) });
      expect(saga.heldBackMs).toBeGreaterThanOrEqual(1_000);
      const health = app.get(EventSourcingHealthIndicator);
      const down = await health.isHealthy('es', { maxHeldBackMs: 500 });
      expect(down.es.status).toBe('down');
      expect(down.es.workers['projection:lag_probe']).toMatchObject({
        heldBackMs: expect.any(Number),
        problem: expect.stringMatching(/^held back \d+ ms by an open transaction \(over 500\)$/),
      });
      await blocker.end();
      released = true;
      const releasedAt = Date.now();
      while (!probe.handledAt.has(id) && Date.now() - releasedAt < 5_000) await sleep(10);
      expect(probe.handledAt.has(id)).toBe(true);
      expect((await health.isHealthy('es', { maxHeldBackMs: 500 })).es.status).toBe('up');
      const settle = Date.now();
      let cleared = logs.lines.filter((l) => l.message.includes('no longer held back'));
      while (cleared.length === 0 && Date.now() - settle < 5_000) {
        await sleep(20);
        cleared = logs.lines.filter((l) => l.message.includes('no longer held back'));
      }
      expect(cleared).toHaveLength(1);
      expect(cleared[0].level).toBe('log');
      expect(cleared[0].message).toMatch(
        new RegExp(
          `readers of the event log are no longer held back by pid ${blocker.pid} \\(transaction ` +
            `${blocker.xid}\\); they were held back for \\d+ ms`,
        ),
      );
      const ms = Number(/held back for (\d+) ms$/.exec(cleared[0].message)![1]);
      expect(ms).toBeGreaterThanOrEqual(1_200);
    } finally {
      if (!released) await blocker.end();
    }
  });
});
