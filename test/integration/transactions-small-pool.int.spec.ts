import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CqrsModule } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource, EntityManager } from 'typeorm';
import {
  ConcurrencyError,
  EventSourcingModule,
  EventStore,
  Projection,
  ProjectionHandler,
  ProjectionInit,
  runInTransaction,
  getAggregateRepositoryToken,
  type AggregateRepository,
  type ProjectionContext,
  type ProjectionHookContext,
} from 'nestjs-event-sourcing';
import { Account, MoneyDeposited } from '../support/account.domain.js';
import { bind } from '../support/balances.projection.js';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js';

const WRITERS = 20;
const POOL = 3;
/** A safety limit: before the fix these never settled (the pool was starved for good). */
const SETTLE_MS = 20_000;

/** An inline projection that counts deposits per account, in the append's transaction. */
@Injectable()
@Projection('deposit_counts', { mode: 'inline' })
class DepositCounts {
  @ProjectionInit()
  async init({ manager }: ProjectionHookContext) {
    await manager!.query(
      'CREATE TABLE IF NOT EXISTS deposit_counts (id VARCHAR(64) PRIMARY KEY, n INT NOT NULL)',
    );
  }

  @ProjectionHandler(MoneyDeposited)
  async deposited(event: MoneyDeposited, { manager }: ProjectionContext) {
    const m = manager!;
    const updated = (await m.query(bind(m, 'UPDATE deposit_counts SET n = n + 1 WHERE id = ?'), [
      event.accountId,
    ])) as unknown;
    if (affected(updated) === 0) {
      await m.query(bind(m, 'INSERT INTO deposit_counts (id, n) VALUES (?, 1)'), [event.accountId]);
    }
  }
}

function affected(result: unknown): number {
  if (Array.isArray(result)) return Number(result[1] ?? 0); // postgres: [rows, count]
  const r = result as { affectedRows?: number; changes?: number };
  return Number(r.affectedRows ?? r.changes ?? 0);
}

function settles<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not settle in ${SETTLE_MS} ms`)),
      SETTLE_MS,
    );
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

/** Connections of this test's pool still inside a transaction after everything settled. */
async function openTransactions(db: TestDatabase, appName: string): Promise<number> {
  if (db.kind === 'postgres') {
    const rows = await db.dataSource.query<{ n: string }[]>(
      `SELECT COUNT(*) AS n FROM pg_stat_activity
       WHERE application_name = $1 AND state LIKE 'idle in transaction%'`,
      [appName],
    );
    return Number(rows[0].n);
  }
  if (db.kind === 'mariadb') {
    const rows = await db.dataSource.query<{ n: string }[]>(
      `SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX t
       JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id
       WHERE p.DB = DATABASE() AND p.ID <> CONNECTION_ID()`,
    );
    return Number(rows[0].n);
  }
  return 0;
}

describe.each(['postgres', 'mariadb', 'sqlite'] as const)(
  'transactions on a small pool (%s)',
  (kind) => {
    let db: TestDatabase;
    let pool: DataSource;
    let app: INestApplicationContext;
    let store: EventStore;
    let accounts: AggregateRepository<Account>;
    const appName = `tx_${randomUUID().slice(0, 8)}`;

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      pool =
        kind === 'postgres'
          ? await db.connect({
              extra: {
                max: POOL,
                application_name: appName,
                options: `-c search_path=${db.schema}`,
              },
            })
          : kind === 'mariadb'
            ? await db.connect({ poolSize: POOL })
            : db.dataSource;
      const moduleRef = await Test.createTestingModule({
        imports: [
          CqrsModule.forRoot(),
          EventSourcingModule.forRoot({ dataSource: pool, schema: db.schema, workers: false }),
          EventSourcingModule.forFeature([Account]),
        ],
        providers: [DepositCounts],
      }).compile();
      app = await moduleRef.init();
      store = app.get(EventStore);
      accounts = app.get(getAggregateRepositoryToken(Account));
    });
    afterAll(async () => {
      await app?.close();
      await db?.drop();
    });

    it(`${WRITERS} conflicting appends in callers' transactions: one winner, the rest ConcurrencyError`, async () => {
      const stream = `race-${randomUUID()}`;
      await store.appendToStream(stream, [{ type: 'first', data: {} }]);
      const results = await settles(
        Promise.allSettled(
          Array.from({ length: WRITERS }, (_, i) =>
            // On SQLite's one shared connection, concurrent transactions must take turns.
            (kind === 'sqlite' ? runInTransaction.bind(null, pool) : pool.transaction.bind(pool))(
              (manager: EntityManager) =>
                store.appendToStream(stream, [{ type: 'second', data: { i } }], {
                  expectedVersion: 1,
                  manager,
                }),
            ),
          ),
        ),
        'the transactional appends',
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(WRITERS - 1);
      for (const error of lost) expect(error).toBeInstanceOf(ConcurrencyError);
      expect((await store.readStream(stream)).map((e) => e.version)).toEqual([1, 2]);
      expect(await openTransactions(db, appName)).toBe(0);
    });

    it(`${WRITERS} concurrent saves of one aggregate with an inline projection: one winner per version`, async () => {
      const id = randomUUID();
      await accounts.save(Account.open(id, 'ada'));
      const results = await settles(
        Promise.allSettled(
          Array.from({ length: WRITERS }, async () => {
            const account = await accounts.load(id);
            account.deposit(1);
            await accounts.save(account);
          }),
        ),
        'the saves',
      );
      const won = results.filter((r) => r.status === 'fulfilled').length;
      const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      for (const error of lost) expect(error).toBeInstanceOf(ConcurrencyError);
      expect(won).toBeGreaterThanOrEqual(1);
      const versions = (await store.readStream(`account-${id}`)).map((e) => e.version);
      expect(versions).toEqual(Array.from({ length: won + 1 }, (_, i) => i + 1));
      const rows = await pool.query<{ n: number | string }[]>(
        bind(pool.manager, 'SELECT n FROM deposit_counts WHERE id = ?'),
        [id],
      );
      expect(Number(rows[0].n)).toBe(won);
      expect(await openTransactions(db, appName)).toBe(0);
    });
  },
);
