import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, EntityManager } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TypeOrmEventStore, type LogEvent } from 'nestjs-event-sourcing';
import { SubscriptionCatchUpTimeoutError } from '../../lib/core/errors/subscription-catch-up-timeout.error.js';
import { SubscriptionFailedError } from '../../lib/core/errors/subscription-failed.error.js';
import { SubscriptionFencedError } from '../../lib/core/errors/subscription-fenced.error.js';
import { Subscription } from '../../lib/engine/subscription.js';
import type { SubscriptionOptions } from '../../lib/engine/subscription.options.js';
import { TypeOrmSubscriptionStore } from '../../lib/sql/typeorm-subscription-store.js';
import { compileForNode } from '../support/compile-for-node.js';
import type { SubscriptionChildConfig } from '../support/subscription-child.js';
import {
  createTestDatabase,
  type DatabaseKind,
  type TestDatabase,
} from '../support/test-databases.js';

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

type Filter = { types?: string[]; categories?: string[] };

/** One runner "process": a DataSource of its own with its own stores, as another app instance has. */
interface Node {
  dataSource: DataSource;
  eventStore: TypeOrmEventStore;
  subscriptionStore: TypeOrmSubscriptionStore;
}

for (const kind of ['postgres', 'mariadb', 'sqlite'] as const) {
  describeSubscriptions(kind);
}

function describeSubscriptions(kind: DatabaseKind) {
  describe(`Subscription on ${kind}`, () => {
    let db: TestDatabase;
    let writer: TypeOrmEventStore;
    let store: TypeOrmSubscriptionStore;
    const q = (name: string) =>
      kind === 'postgres'
        ? `"${db.schema}"."${name}"`
        : kind === 'mariadb'
          ? `\`${name}\``
          : `"${name}"`;
    const marks = (n: number) =>
      Array.from({ length: n }, (_, i) => (kind === 'postgres' ? `$${i + 1}` : '?')).join(', ');
    const insertSql = () =>
      `INSERT INTO ${q('read_model')} (sub, event_id, position, owner) VALUES (${marks(4)})`;

    /**
     * PostgreSQL and MariaDB: a pool of its own. SQLite: the one shared connection (a second
     * better-sqlite3 connection in the same process would wait for the lock synchronously, blocking
     * the event loop that has to release it).
     */
    async function node(): Promise<Node> {
      const dataSource = kind === 'sqlite' ? db.dataSource : await db.connect();
      return {
        dataSource,
        eventStore: new TypeOrmEventStore(dataSource, { schema: db.schema }),
        subscriptionStore: new TypeOrmSubscriptionStore(dataSource, { schema: db.schema }),
      };
    }

    /** A subscription that writes each event into the read model in the batch transaction. */
    function projection(n: Node, name: string, extra: Partial<SubscriptionOptions> = {}) {
      const owner = extra.owner ?? `owner-${randomUUID().slice(0, 8)}`;
      return new Subscription({
        name,
        owner,
        eventStore: n.eventStore,
        subscriptionStore: n.subscriptionStore,
        pollIntervalMs: 20,
        logger: silent,
        handler: async (events, { manager }) => {
          for (const e of events) await writeRow(manager as EntityManager, name, e, owner);
        },
        ...extra,
      });
    }

    async function writeRow(manager: EntityManager, sub: string, e: LogEvent, owner: string) {
      await manager.query(insertSql(), [sub, e.eventId, e.globalPosition, owner]);
    }

    async function readModel(sub: string) {
      const rows = await db.dataSource.query<{ event_id: string; owner: string }[]>(
        `SELECT event_id, owner FROM ${q('read_model')} WHERE sub = ${marks(1)}`,
        [sub],
      );
      return rows;
    }

    async function allEventIds(filter: Filter = {}): Promise<string[]> {
      const ids: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await writer.readAll({ after, maxCount: 1000, ...filter });
        ids.push(...page.events.map((e) => e.eventId));
        after = page.checkpoint;
        if (page.isEnd) return ids;
      }
    }

    async function expectExactlyOnce(sub: string, filter: Filter = {}) {
      const rows = await readModel(sub);
      const expected = await allEventIds(filter);
      expect(rows).toHaveLength(expected.length);
      expect(new Set(rows.map((r) => r.event_id)).size).toBe(rows.length);
      expect([...rows.map((r) => r.event_id)].sort()).toEqual([...expected].sort());
      return rows;
    }

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      writer = new TypeOrmEventStore(db.dataSource, { schema: db.schema });
      await writer.migrate();
      store = new TypeOrmSubscriptionStore(db.dataSource, { schema: db.schema });
      await store.migrate();
      const text = kind === 'mariadb' ? 'VARCHAR(255)' : 'TEXT';
      await db.dataSource.query(
        `CREATE TABLE ${q('read_model')} (sub ${text} NOT NULL, event_id ${text} NOT NULL, position BIGINT NOT NULL, owner ${text} NOT NULL)`,
      );
    });
    afterAll(async () => {
      await db?.drop();
    });

    it('migrates idempotently from several instances at once and prints its SQL', async () => {
      const other = new TypeOrmSubscriptionStore(await db.connect(), { schema: db.schema });
      await Promise.all([store.migrate(), other.migrate(), store.migrate()]);
      const sql = store.schemaSql().join(';\n');
      expect(sql).toMatch(/CREATE TABLE IF NOT EXISTS/);
      expect(sql).toContain('es_subscriptions');
    });

    it('gives a lease to one owner at a time by the database clock', async () => {
      const name = `lease-${randomUUID()}`;
      const others = await Promise.all([node(), node()]);
      const stores = [store, ...others.map((n) => n.subscriptionStore)];
      const results = await Promise.all(
        Array.from({ length: 9 }, (_, i) => stores[i % 3].tryAcquireLease(name, `o${i}`, 400)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = `o${results.indexOf(true)}`;
      expect((await store.load(name))?.leaseOwner).toBe(winner);
      expect(await store.tryAcquireLease(name, 'late', 400)).toBe(false);
      expect(await store.tryAcquireLease(name, winner, 400)).toBe(true);
      expect(await store.renewLease(name, winner, 400)).toBe(true);
      expect(await store.renewLease(name, 'late', 400)).toBe(false);
      await sleep(450);
      expect(await store.tryAcquireLease(name, 'late', 400)).toBe(true);
      expect(await store.renewLease(name, winner, 400)).toBe(false);
      await store.releaseLease(name, winner); // not the holder: no effect
      expect((await store.load(name))?.leaseOwner).toBe('late');
      await store.releaseLease(name, 'late');
      expect(await store.tryAcquireLease(name, winner, 400)).toBe(true);
    });

    it('keeps checkpoint, state and failure, and writes the checkpoint in the caller transaction', async () => {
      const name = `store-${randomUUID()}`;
      await store.saveCheckpoint(name, '5', { state: { total: 3, note: 'é' } });
      expect(await store.load(name)).toMatchObject({
        checkpoint: '5',
        state: 'stopped',
        projectionState: { total: 3, note: 'é' },
      });
      await db.dataSource
        .transaction(async (manager) => {
          await store.saveCheckpoint(name, '9', { manager, state: 'rolled back' });
          throw new Error('abort');
        })
        .catch(() => undefined);
      expect((await store.load(name))?.checkpoint).toBe('5');
      await store.saveCheckpoint(name, '6', { state: 'text' });
      expect((await store.load(name))?.projectionState).toBe('text');
      await expect(
        store.saveCheckpoint(name, '7', { fence: { owner: 'nobody', checkpoint: '6' } }),
      ).rejects.toBeInstanceOf(SubscriptionFencedError);
      await store.markFailed(name, 'boom', { position: 7, checkpoint: '7' });
      const failed = await store.load(name);
      expect(failed).toMatchObject({ state: 'failed', lastError: 'boom', failedPosition: 7 });
      expect(failed?.failedCheckpoint).toBe('7');
      expect(Math.abs(failed!.failedAt!.getTime() - Date.now())).toBeLessThan(60_000);
      await store.reset(name);
      await store.markState(name, 'running');
      expect(await store.load(name)).toMatchObject({
        checkpoint: undefined,
        projectionState: undefined,
        state: 'running',
        lastError: undefined,
        failedAt: undefined,
      });
      expect((await store.list()).map((r) => r.name)).toContain(name);
    });

    it('projects every event exactly once while 16 writers append concurrently', async () => {
      const n = await node();
      const wide = projection(n, 'concurrent-wide', { batchSize: 100 });
      const narrow = projection(n, 'concurrent-narrow', { batchSize: 7, types: ['even'] });
      await Promise.all([wide.start(), narrow.start()]);
      await Promise.all(
        Array.from({ length: 16 }, async (_, w) => {
          for (let i = 0; i < 50; i++) {
            await writer.appendToStream(`load${w}-${i % 5}`, [
              { type: i % 2 ? 'odd' : 'even', data: { w, i } },
            ]);
          }
        }),
      );
      await Promise.all([
        wide.waitForCatchUp({ timeoutMs: 20_000 }),
        narrow.waitForCatchUp({ timeoutMs: 20_000 }),
      ]);
      await Promise.all([wide.stop(), narrow.stop()]);
      expect((await expectExactlyOnce('concurrent-wide')).length).toBeGreaterThanOrEqual(800);
      expect(await expectExactlyOnce('concurrent-narrow', { types: ['even'] })).toHaveLength(400);
    });

    it('loses and doubles nothing when its process is killed in the middle of a batch', async () => {
      const name = 'crash';
      await appendEvents(writer, 'crash', 50);
      const child = await runChild({
        options: db.options,
        schema: db.schema,
        name,
        owner: 'child',
        insertSql: insertSql(),
        batchSize: 10,
        leaseTtlMs: 1000,
        categories: ['crash'],
        crashAfter: 25, // in the middle of the third batch
      });
      const committed = await readModel(name);
      expect(committed).toHaveLength(20);
      expect((await store.load(name))?.leaseOwner).toBe('child');
      expect(child).toBe('SIGKILL');

      const n = await node();
      const survivor = projection(n, name, {
        owner: 'survivor',
        batchSize: 10,
        leaseTtlMs: 1000,
        categories: ['crash'],
      });
      await survivor.start();
      await survivor.waitForCatchUp({ timeoutMs: 15_000 });
      await survivor.stop();
      const rows = await expectExactlyOnce(name, { categories: ['crash'] });
      expect(rows).toHaveLength(50);
      expect(rows.filter((r) => r.owner === 'child')).toHaveLength(committed.length);
    });

    it('lets one of two runners process at a time, the other taking over when the lease expires', async () => {
      const name = 'lease-pair';
      const order: string[] = [];
      const runner = async (owner: string) => {
        const n = await node();
        return projection(n, name, {
          owner,
          leaseTtlMs: 500,
          batchSize: 5,
          handler: async (events, { manager }) => {
            for (const e of events) await writeRow(manager as EntityManager, name, e, owner);
            order.push(...events.map(() => owner));
          },
        });
      };
      const [alpha, beta] = await Promise.all([runner('alpha'), runner('beta')]);
      await alpha.start();
      await waitUntil(() => alpha.status().isLeaseOwner);
      await beta.start();
      const appending = appendEvents(writer, 'pair', 40, 5);
      await sleep(150);
      await appending;
      await alpha.waitForCatchUp({ timeoutMs: 10_000 });
      expect(beta.status().isLeaseOwner).toBe(false);
      await alpha.stop({ releaseLease: false }); // dies: stops renewing, keeps the lease
      const died = Date.now();
      await appendEvents(writer, 'pair', 20);
      await beta.waitForCatchUp({ timeoutMs: 10_000 });
      expect(Date.now() - died).toBeGreaterThanOrEqual(200);
      expect(beta.status().isLeaseOwner).toBe(true);
      expect((await store.load(name))?.leaseOwner).toBe('beta');
      await beta.stop();
      const switches = order.filter((owner, i) => i > 0 && owner !== order[i - 1]).length;
      expect(switches).toBe(1);
      expect(order[0]).toBe('alpha');
      expect(order.at(-1)).toBe('beta');
      await expectExactlyOnce(name);
    });

    it('retries a failing batch, fails it alone, and resumes from the checkpoint after a fix', async () => {
      let broken = true;
      let attempts = 0;
      const n = await node();
      const fragile = projection(n, 'fragile', {
        batchSize: 4,
        retry: { maxAttempts: 3, backoffMs: 5 },
        handler: async (events, { manager }) => {
          for (const e of events) {
            if (broken && e.type === 'poison') {
              attempts++;
              throw new Error(`cannot project event ${e.globalPosition}`);
            }
            await writeRow(manager as EntityManager, 'fragile', e, 'fragile');
          }
        },
      });
      const sturdy = projection(n, 'sturdy', { batchSize: 4 });
      await appendEvents(writer, 'fail', 10);
      await writer.appendToStream('fail-poison', [{ type: 'poison', data: {} }]);
      await appendEvents(writer, 'fail', 10);
      await Promise.all([fragile.start(), sturdy.start()]);
      const error = await fragile.waitForCatchUp({ timeoutMs: 15_000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SubscriptionFailedError);
      expect(attempts).toBe(3);
      await waitUntil(() => fragile.status().state === 'failed'); // the store may have said it first
      const status = fragile.status();
      expect(status.state).toBe('failed');
      expect(status.lastError).toMatch(/cannot project event \d+/);
      const record = await store.load('fragile');
      expect(record).toMatchObject({ state: 'failed', leaseOwner: undefined });
      expect(record?.lastError).toBe(status.lastError);
      expect(record?.failedPosition).toBe(status.failure?.position);
      expect(record?.failedAt).toBeInstanceOf(Date);
      await sturdy.waitForCatchUp({ timeoutMs: 15_000 });
      expect(sturdy.status().state).toBe('running');
      await expectExactlyOnce('sturdy');

      broken = false;
      await fragile.start();
      await fragile.waitForCatchUp({ timeoutMs: 15_000 });
      expect(fragile.status().state).toBe('running');
      expect((await store.load('fragile'))?.state).toBe('running');
      await Promise.all([fragile.stop(), sturdy.stop()]);
      await expectExactlyOnce('fragile');
    });

    // Not on SQLite: its one writer means an open write transaction blocks the appends too.
    const itWithConcurrentWriters = kind === 'sqlite' ? () => undefined : it;
    itWithConcurrentWriters(
      'waitForCatchUp covers events committed before the call but hidden behind an open transaction',
      async () => {
        // On PostgreSQL an open transaction holds readAll below it: events committed after it
        // started are not readable yet, and must not be forgotten by waitForCatchUp.
        const blocker = db.dataSource.createQueryRunner();
        await blocker.startTransaction();
        await blocker.query(insertSql(), ['blocker', 'x', 0, 'x']);
        await appendEvents(writer, 'hidden', 3);
        const n = await node();
        const sub = projection(n, 'behind-open-tx', { categories: ['hidden'] });
        await sub.start();
        const caughtUp = sub.waitForCatchUp({ timeoutMs: 10_000 });
        await sleep(300);
        await blocker.rollbackTransaction();
        await blocker.release();
        await caughtUp;
        await sub.stop();
        expect(await readModel('behind-open-tx')).toHaveLength(3);
      },
    );

    it('waitForCatchUp times out with a typed error when no runner is started', async () => {
      const n = await node();
      const idle = projection(n, 'never-started');
      const error = await idle.waitForCatchUp({ timeoutMs: 200 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SubscriptionCatchUpTimeoutError);
    });
  });
}

async function appendEvents(store: TypeOrmEventStore, prefix: string, count: number, pauseMs = 0) {
  for (let i = 0; i < count; i++) {
    await store.appendToStream(`${prefix}-${i % 3}`, [{ type: 'item', data: { i } }]);
    if (pauseMs) await sleep(pauseMs);
  }
}

async function waitUntil(condition: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/** Runs the child until it reaches its crash point, then kills it; resolves with the signal. */
async function runChild(config: SubscriptionChildConfig): Promise<NodeJS.Signals | null> {
  const entry = await compileChild();
  const child = spawn(process.execPath, [entry, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((done) =>
    child.on('exit', (_code, signal) => done(signal)),
  );
  const reached = new Promise<boolean>((done) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('crash-point')) done(true);
    });
    void exited.then(() => done(false));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  if (!(await reached)) throw new Error(`the child exited before its crash point:\n${stderr}`);
  child.kill('SIGKILL');
  clearTimeout(timer);
  return exited;
}

let compiled: Promise<{ entry: string; remove(): void }> | undefined;
afterAll(async () => {
  (await compiled)?.remove();
});

/** The child runs on plain node (compiled with SWC into a temp dir). */
async function compileChild(): Promise<string> {
  compiled ??= compileForNode('test/support/subscription-child.ts');
  return (await compiled).entry;
}
