import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TypeOrmEventStore } from 'nestjs-event-sourcing';
import type { DataSource } from 'typeorm';
import { TcpProxy } from '../support/tcp-proxy.js';
import { createTestDatabase, POSTGRES_URL, type TestDatabase } from '../support/test-databases.js';

// A PostgreSQL connection that dies while a statement of the library runs on it (a failover, a
// network cut) must fail that statement, not the process: node-postgres
// emits 'error' on the client besides rejecting the query, and an 'error' event without a
// listener is an uncaught exception.
const APP = `es-connection-loss-${process.pid}`;

describe('PostgreSQL: a connection lost during a statement', () => {
  let store: TypeOrmEventStore;
  let db: TestDatabase;
  let proxy: TcpProxy;
  let app: DataSource;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    await new TypeOrmEventStore(db.dataSource, { schema: db.schema }).migrate();
    // The application's connections go through a proxy the test can cut.
    const url = new URL(POSTGRES_URL);
    proxy = await new TcpProxy(url.hostname, Number(url.port || 5432)).start();
    url.port = String(proxy.port);
    app = await db.connect({ url: url.toString(), applicationName: APP });
    store = new TypeOrmEventStore(app, { schema: db.schema });
    process.on('uncaughtException', onUncaught);
  });

  beforeEach(() => {
    uncaught.length = 0;
  });

  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await proxy.stop();
    await db.drop();
  });

  async function cutWhileWaiting(work: () => Promise<unknown>): Promise<unknown> {
    const blocker = db.dataSource.createQueryRunner();
    await blocker.connect();
    await blocker.startTransaction();
    // Every statement on the events table now waits for this lock.
    await blocker.query(`LOCK TABLE "${db.schema}".es_events IN ACCESS EXCLUSIVE MODE`);
    const outcome = work().then(
      () => 'resolved',
      (error: unknown) => error,
    );
    let waiting = 0;
    for (let i = 0; i < 100 && waiting === 0; i++) {
      await sleep(50);
      const rows = (await blocker.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE wait_event_type = 'Lock' AND application_name = $1`,
        [APP],
      )) as { n: number }[];
      waiting = rows[0].n;
    }
    expect(waiting).toBe(1);
    proxy.cut();
    proxy.restore();
    await blocker.rollbackTransaction();
    await blocker.release();
    const result = await outcome;
    await sleep(100); // the client's 'error' event follows the query's rejection
    return result;
  }

  it('rejects a prepared append and keeps the process alive', async () => {
    const result = await cutWhileWaiting(() =>
      store.appendToStream('order-1', [{ type: 'order.placed', data: { n: 1 } }]),
    );
    expect(result).toBeInstanceOf(Error);
    expect(uncaught).toEqual([]);
    // The pool dropped the dead client: the next append works. (Whether the cut append committed
    // is unknowable to the client: its server process may finish it after the lock is released.)
    await store.appendToStream('order-1', [{ type: 'order.placed', data: { n: 2 } }]);
    expect((await store.readStream('order-1')).at(-1)?.data).toEqual({ n: 2 });
  });

  it('rejects a prepared history read and keeps the process alive', async () => {
    const result = await cutWhileWaiting(() => store.readHistory('order-1'));
    expect(result).toBeInstanceOf(Error);
    expect(uncaught).toEqual([]);
  });
});
