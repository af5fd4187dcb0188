import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConcurrencyError,
  TypeOrmEventStore,
  type LogCheckpoint,
  type StoredEvent,
} from 'nestjs-event-sourcing';
import { compareCheckpoints } from '../../lib/core/checkpoint.js';
import { endOfLog } from '../contract/event-store.contract.js';
import {
  createTestDatabase,
  type DatabaseKind,
  type TestDatabase,
} from '../support/test-databases.js';

/** What only a database store has: migrations, caller transactions, a gap-safe log under load. */
export function describeTypeOrmStore(kind: DatabaseKind) {
  describe(`TypeOrmEventStore on ${kind}`, () => {
    let db: TestDatabase;
    let store: TypeOrmEventStore;
    const q = (name: string) =>
      kind === 'postgres'
        ? `"${db.schema}"."${name}"`
        : kind === 'mariadb'
          ? `\`${name}\``
          : `"${name}"`;

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      store = new TypeOrmEventStore(db.dataSource, { schema: db.schema });
      await store.migrate();
      const text = kind === 'mariadb' ? 'VARCHAR(50)' : 'TEXT';
      await db.dataSource.query(
        `CREATE TABLE ${q('ledger')} (id ${text} PRIMARY KEY, note ${text})`,
      );
    });
    afterAll(async () => {
      await db?.drop();
    });

    it('migrates idempotently, from several instances at once, and prints its SQL', async () => {
      const other = new TypeOrmEventStore(await db.connect(), { schema: db.schema });
      await Promise.all([store.migrate(), other.migrate(), store.migrate()]);
      const sql = store.schemaSql().join(';\n');
      expect(sql).toMatch(/CREATE TABLE IF NOT EXISTS/);
      expect(sql).toContain('es_events');
      if (kind === 'postgres') expect(sql).toMatch(/tx_id XID8/);
    });

    it('uses the configured table prefix', async () => {
      const prefixed = new TypeOrmEventStore(db.dataSource, {
        schema: db.schema,
        tablePrefix: 'audit_',
      });
      await prefixed.migrate();
      await prefixed.appendToStream('p-1', [{ type: 'x', data: {} }]);
      const rows = await db.dataSource.query<{ n: number | string }[]>(
        `SELECT COUNT(*) AS n FROM ${q('audit_events')}`,
      );
      expect(Number(rows[0].n)).toBe(1);
      expect(await store.streamExists('p-1')).toBe(false);
    });

    it("joins the caller's transaction: events and the caller's rows commit or roll back together", async () => {
      const kept = `tx-${randomUUID()}`;
      const dropped = `tx-${randomUUID()}`;
      await db.dataSource.transaction(async (manager) => {
        await manager.query(
          `INSERT INTO ${q('ledger')} (id, note) VALUES (${kind === 'postgres' ? '$1, $2' : '?, ?'})`,
          [kept, 'kept'],
        );
        await store.appendToStream(kept, [{ type: 'kept', data: {} }], { manager });
      });
      await db.dataSource
        .transaction(async (manager) => {
          await manager.query(
            `INSERT INTO ${q('ledger')} (id, note) VALUES (${kind === 'postgres' ? '$1, $2' : '?, ?'})`,
            [dropped, 'dropped'],
          );
          await store.appendToStream(dropped, [{ type: 'dropped', data: {} }], { manager });
          throw new Error('roll back');
        })
        .catch(() => undefined);
      expect(await store.streamVersion(kept)).toBe(1);
      expect(await store.streamExists(dropped)).toBe(false);
      const ledger = await db.dataSource.query<{ id: string }[]>(`SELECT id FROM ${q('ledger')}`);
      expect(ledger.map((r) => r.id)).toContain(kept);
      expect(ledger.map((r) => r.id)).not.toContain(dropped);
    });

    it("a conflict inside the caller's transaction leaves that transaction usable", async () => {
      const id = `tx-${randomUUID()}`;
      await store.appendToStream(id, [{ type: 'a', data: {} }]);
      await db.dataSource.transaction(async (manager) => {
        await expect(
          store.appendToStream(id, [{ type: 'b', data: {} }], {
            manager,
            expectedVersion: 'no_stream',
          }),
        ).rejects.toThrow(ConcurrencyError);
        await store.appendToStream(id, [{ type: 'c', data: {} }], { manager, expectedVersion: 1 });
      });
      expect((await store.readStream(id)).map((e) => e.type)).toEqual(['a', 'c']);
    });

    it('tells how long an open write transaction has been holding readers back, and whose it is', async () => {
      if (kind === 'sqlite') {
        expect(await store.readHorizonAgeMs()).toBeUndefined();
        return;
      }
      const runner = db.dataSource.createQueryRunner();
      await runner.startTransaction();
      // PostgreSQL: any write of this database; MySQL/MariaDB: an append (it takes the head lock).
      if (kind === 'postgres') {
        await runner.query(`INSERT INTO ${q('ledger')} (id, note) VALUES ('held', 'x')`);
      } else {
        await store.appendToStream(`held-${randomUUID()}`, [{ type: 'held', data: {} }], {
          manager: runner.manager,
        });
      }
      const [{ session }] = (await runner.query(
        kind === 'postgres'
          ? 'SELECT pg_backend_pid() AS session'
          : 'SELECT CONNECTION_ID() AS session',
      )) as { session: number }[];
      await sleep(1100);
      expect(await store.readHorizonAgeMs()).toBeGreaterThanOrEqual(250);
      const cause = await store.heldBackBy();
      expect(cause?.details[kind === 'postgres' ? 'pid' : 'thread']).toBe(Number(session));
      await runner.rollbackTransaction();
      await runner.release();
      expect(await store.readHorizonAgeMs()).toBeLessThan(250);
    });

    it('reports other constraint violations as they are, not as concurrency conflicts', async () => {
      const strict = new TypeOrmEventStore(db.dataSource, {
        schema: db.schema,
        tablePrefix: 'uq_',
      });
      await strict.migrate();
      await db.dataSource.query(`CREATE UNIQUE INDEX uq_one_per_type ON ${q('uq_events')} (type)`);
      await strict.appendToStream('u-1', [{ type: 'once', data: {} }]);
      const error = await strict
        .appendToStream('u-2', [{ type: 'once', data: {} }])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(ConcurrencyError);
      expect(await strict.streamExists('u-2')).toBe(false);
    });

    it(
      kind === 'sqlite'
        ? 'a reader following the log sees every event of 16 concurrent writers exactly once'
        : 'a reader sees every event of 16 concurrent writers exactly once while a transaction stays open for 1.2 s',
      async () => {
        const start = await endOfLog(store);
        const written: StoredEvent[] = [];
        let writing = true;
        const seen: StoredEvent[] = [];
        const reader = (async () => {
          let after = start;
          // Once the writers are done, the reader stops at the head of the log as it is then.
          let head: LogCheckpoint | undefined;
          for (;;) {
            if (!writing && head === undefined) head = await store.headCheckpoint();
            const page = await store.readAll({ after, maxCount: 250 });
            seen.push(...page.events);
            after = page.checkpoint;
            if (head !== undefined && compareCheckpoints(after, head) >= 0) return;
            if (page.isEnd) await sleep(5);
          }
        })();
        const slow =
          kind === 'sqlite'
            ? Promise.resolve()
            : db.dataSource.transaction(async (manager) => {
                const result = await store.appendToStream(
                  `slow-${randomUUID()}`,
                  [{ type: 'slow', data: {} }],
                  { manager },
                );
                written.push(...result.events);
                await sleep(1200);
              });
        const writers = Array.from({ length: 16 }, (_, w) =>
          (async () => {
            for (let i = 0; i < 100; i++) {
              const result = await store.appendToStream(`load${w}-${i % 10}`, [
                { type: 'load', data: { w, i } },
                { type: 'load', data: { w, i, second: true } },
              ]);
              written.push(...result.events);
            }
          })(),
        );
        await Promise.all([...writers, slow]);
        writing = false;
        await reader;

        expect(written).toHaveLength(kind === 'sqlite' ? 3200 : 3201);
        const seenIds = seen.map((e) => e.eventId);
        expect(new Set(seenIds).size).toBe(seenIds.length);
        expect(new Set(seenIds)).toEqual(new Set(written.map((e) => e.eventId)));
        // Within a stream the reader sees versions in order.
        const lastVersion = new Map<string, number>();
        for (const event of seen) {
          expect(event.version).toBeGreaterThan(lastVersion.get(event.streamId) ?? 0);
          lastVersion.set(event.streamId, event.version);
        }
      },
    );
  });
}
