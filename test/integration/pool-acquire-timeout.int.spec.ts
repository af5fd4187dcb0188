import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CqrsModule } from '@nestjs/cqrs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource, QueryRunner } from 'typeorm';
import {
  ConnectionAcquireTimeoutError,
  EventSourcingModule,
  EventStore,
  type EventSourcingModuleOptions,
} from 'nestjs-event-sourcing';
import { EventStoreConnection } from '../../lib/nest/event-store-connection.js';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js';

const TIMEOUT_MS = 300;

describe.each(['postgres', 'mariadb'] as const)('a starved pool on %s', (kind) => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let store: EventStore;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const url = (db.options as { url: string }).url;
    const options: EventSourcingModuleOptions =
      kind === 'postgres'
        ? { type: 'postgres', url, schema: db.schema, poolSize: 2, acquireTimeoutMs: TIMEOUT_MS }
        : { type: 'mariadb', url, poolSize: 2, acquireTimeoutMs: TIMEOUT_MS };
    const moduleRef = await Test.createTestingModule({
      imports: [CqrsModule.forRoot(), EventSourcingModule.forRoot({ ...options, workers: false })],
    }).compile();
    app = await moduleRef.init();
    store = app.get(EventStore);
    dataSource = app.get(EventStoreConnection).dataSource!;
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('fails fast with ConnectionAcquireTimeoutError, and works again once connections are free', async () => {
    // Every free pooled connection held by a transaction that does not end (a stuck request, say).
    // On PostgreSQL the module's LISTEN connection is one of the pool's two already.
    const held: QueryRunner[] = [];
    for (let i = 0; i < (kind === 'postgres' ? 1 : 2); i++) {
      const runner = dataSource.createQueryRunner();
      await runner.startTransaction();
      held.push(runner);
    }
    const started = Date.now();
    const error = await Promise.race([
      store.appendToStream('starved-1', [{ type: 'x', data: {} }]).catch((e: unknown) => e),
      new Promise((resolve) => setTimeout(() => resolve('still waiting after 10 s'), 10_000)),
    ]);
    expect(error).toBeInstanceOf(ConnectionAcquireTimeoutError);
    expect((error as Error).message).toMatch(/within 300 ms \(pool of 2\)/);
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const runner of held) {
      await runner.rollbackTransaction();
      await runner.release();
    }
    await store.appendToStream('starved-1', [{ type: 'x', data: {} }]);
    expect(await store.streamVersion('starved-1')).toBe(1);
  });
});
