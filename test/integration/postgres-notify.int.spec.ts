import { Module, type INestApplicationContext, type LoggerService } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { NestFactory } from '@nestjs/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EventSourcingModule,
  EventStore,
  Projection,
  ProjectionHandler,
  ProjectionManager,
} from 'nestjs-event-sourcing';
import { MoneyDeposited } from '../support/account.domain.js';
import { EventStoreConnection } from '../../lib/nest/event-store-connection.js';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/** Polls only once a minute: anything faster must come from a NOTIFY. */
@Projection('slow_poller', { pollIntervalMs: 60_000 })
class SlowPoller {
  readonly seenAt: number[] = [];
  @ProjectionHandler(MoneyDeposited)
  deposited() {
    this.seenAt.push(Date.now());
  }
}

/** Keeps the reader application's log lines, to check what operators are told. */
class CapturedLog implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown) {
    this.lines.push(String(message));
  }
  warn(message: unknown) {
    this.lines.push(String(message));
  }
  error(message: unknown) {
    this.lines.push(String(message));
  }
  debug() {}
  verbose() {}
}

describe('PostgreSQL LISTEN/NOTIFY (PostgreSQL only by nature)', () => {
  let db: TestDatabase;
  const readerLog = new CapturedLog();
  let reader: INestApplicationContext;
  let writer: INestApplicationContext;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    const url = (db.options as { url: string }).url;
    @Module({
      imports: [
        CqrsModule.forRoot(),
        EventSourcingModule.forRoot({ type: 'postgres', url, schema: db.schema }),
      ],
      providers: [SlowPoller],
    })
    class ReaderApp {}
    @Module({
      imports: [
        CqrsModule.forRoot(),
        EventSourcingModule.forRoot({ type: 'postgres', url, schema: db.schema, workers: false }),
      ],
    })
    class WriterApp {}
    reader = await NestFactory.createApplicationContext(ReaderApp, { logger: readerLog });
    // Nest's Logger is process-wide: the last application's logger setting wins for both.
    writer = await NestFactory.createApplicationContext(WriterApp, { logger: readerLog });
    await reader.get(ProjectionManager).waitForCatchUp('slow_poller');
  });
  afterAll(async () => {
    await writer?.close();
    await reader?.close();
    await db?.drop();
  });

  it('wakes a worker in another connection within milliseconds of a committed append', async () => {
    const poller = reader.get(SlowPoller);
    await sleep(200); // the worker has gone to sleep for its 60 s poll
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const appendedAt = Date.now();
      await writer.get(EventStore).appendToStream(`account-n${i}`, [
        {
          type: 'account.deposited',
          data: { accountId: `n${i}`, amount: 1 },
          metadata: { eventVersion: 2 },
        },
      ]);
      const deadline = Date.now() + 5_000;
      while (poller.seenAt.length <= i && Date.now() < deadline) await sleep(2);
      expect(poller.seenAt).toHaveLength(i + 1);
      latencies.push(poller.seenAt[i] - appendedAt);
    }
    expect(Math.max(...latencies)).toBeLessThan(1_000);
  });

  /**
   * Appends one deposit from the writer and returns how long (ms) until `app`'s workers were woken:
   * the delivery on its change feed, which every worker waits on. (Whether the woken worker can
   * read the event at once depends on PostgreSQL's read horizon, which other sessions on this
   * shared server hold back at times; that is not what these tests are about.)
   */
  async function wakeUpLatency(app: INestApplicationContext, account: string): Promise<number> {
    let wokenAt: number | undefined;
    const unsubscribe = app.get(EventStoreConnection).changes.subscribe(() => {
      wokenAt ??= Date.now();
    });
    try {
      const appendedAt = Date.now();
      await writer.get(EventStore).appendToStream(`account-${account}`, [
        {
          type: 'account.deposited',
          data: { accountId: account, amount: 1 },
          metadata: { eventVersion: 2 },
        },
      ]);
      const deadline = Date.now() + 5_000;
      while (wokenAt === undefined && Date.now() < deadline) await sleep(5);
      expect(wokenAt, `no wake-up for ${account} within 5 s`).toBeDefined();
      return wokenAt! - appendedAt;
    } finally {
      unsubscribe();
    }
  }

  /** Server process ids of LISTEN connections of this test's schema, by their application_name. */
  async function namedListeners(): Promise<number[]> {
    const rows = await db.dataSource.query<{ pid: number }[]>(
      'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
      [`es-listen nestjs_es:${db.schema}:es_`.slice(0, 63)],
    );
    return rows.map((r) => Number(r.pid));
  }

  it('re-opens the LISTEN connection after the server terminates it, and NOTIFY wakes workers again', async () => {
    const connection = reader.get(EventStoreConnection);
    // Three times over: a re-opened connection must survive being terminated again.
    for (let round = 0; round < 3; round++) {
      const pid = connection.listenerPid!;
      // The reader's and the writer's listeners, both named for operators.
      expect(await namedListeners()).toContain(pid);
      // Only that one backend: every other connection on the shared server is left alone.
      await db.dataSource.query('SELECT pg_terminate_backend($1)', [pid]);

      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const now = connection.listenerPid;
        if (now !== undefined && now !== pid) break;
        await sleep(20);
      }
      const reopened = connection.listenerPid;
      expect(reopened, 'a new LISTEN connection within 10 s').toBeDefined();
      expect(reopened).not.toBe(pid);
      expect(await namedListeners()).toContain(reopened);
      expect(await namedListeners()).not.toContain(pid);
      // Past the re-opened connection's own catch-up wake-up: what is measured below is the NOTIFY.
      await sleep(300);

      for (let i = 0; i < 3; i++) {
        expect(await wakeUpLatency(reader, `r${round}-${i}`)).toBeLessThan(2_000);
      }
    }
    expect(readerLog.lines.some((l) => /LISTEN connection (lost|failed|ended)/.test(l))).toBe(true);
    expect(readerLog.lines.some((l) => /LISTEN connection re-opened/.test(l))).toBe(true);
  });

  it('keeps retrying with backoff while the server cannot be reached, then listens again', async () => {
    // The second reader reaches PostgreSQL through a proxy of this test: cutting it is an outage
    // of that reader's connections only.
    const proxy = await new TcpProxy('127.0.0.1', 5432).start();
    const url = new URL((db.options as { url: string }).url);
    url.port = String(proxy.port);
    @Module({
      imports: [
        CqrsModule.forRoot(),
        EventSourcingModule.forRoot({
          type: 'postgres',
          url: url.toString(),
          schema: db.schema,
          workers: false,
        }),
      ],
    })
    class ProxiedApp {}
    const proxied = await NestFactory.createApplicationContext(ProxiedApp, { logger: readerLog });
    try {
      const connection = proxied.get(EventStoreConnection);
      const before = connection.listenerPid;
      expect(before).toBeDefined();

      proxy.cut();
      await sleep(1_500); // about four refused attempts: 100, 200, 400, 800 ms apart
      expect(connection.listenerPid).toBeUndefined();
      proxy.restore();

      const deadline = Date.now() + 10_000;
      while (connection.listenerPid === undefined && Date.now() < deadline) await sleep(20);
      expect(connection.listenerPid, 'listening again within 10 s of the restore').toBeDefined();
      expect(connection.listenerPid).not.toBe(before);
      expect(readerLog.lines.some((l) => /re-opening the LISTEN connection failed/.test(l))).toBe(
        true,
      );

      expect(await wakeUpLatency(proxied, 'proxied')).toBeLessThan(2_000);
    } finally {
      await proxied.close();
      await proxy.stop();
    }
  });
});
