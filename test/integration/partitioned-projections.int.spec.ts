import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EventStore,
  ParkedPartitionStore,
  ProjectionManager,
  SubscriptionStore,
  partitionOf,
} from 'nestjs-event-sourcing';
import {
  POISON_AMOUNT,
  TalliesProjection,
  tallyEvents,
  talliesModule,
} from '../support/tallies.projection.js';
import { collectWorkerHealth } from '../../lib/nest/health/collect-worker-health.js';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js';

interface Tally {
  stream_id: string;
  total: number;
  events: number;
  last_version: number;
}

describe.each(['sqlite', 'postgres', 'mariadb'] as const)(
  'partitioned projections on %s',
  (kind) => {
    let db: TestDatabase;
    let app: INestApplicationContext;
    let store: EventStore;
    let projections: ProjectionManager;
    let tallies: TalliesProjection;
    const poison = 'tally-poison';
    const fixSql = () =>
      db.dataSource.query(
        kind === 'postgres'
          ? 'INSERT INTO tally_fixes (stream_id) VALUES ($1)'
          : 'INSERT INTO tally_fixes (stream_id) VALUES (?)',
        [poison],
      );
    const rows = async (): Promise<Map<string, Tally>> => {
      const list = await db.dataSource.query<Tally[]>('SELECT * FROM tallies');
      return new Map(
        list.map((r) => [
          r.stream_id,
          {
            stream_id: r.stream_id,
            total: Number(r.total),
            events: Number(r.events),
            last_version: Number(r.last_version),
          },
        ]),
      );
    };
    /** Opens `tally-<id>` and deposits the amounts. */
    const write = async (id: string, amounts: number[], open = true) => {
      await store.appendToStream(`tally-${id}`, tallyEvents(id, amounts, open));
    };
    const expected = new Map<string, { total: number; events: number }>();
    const remember = (id: string, amounts: number[], open = true) => {
      const was = expected.get(`tally-${id}`) ?? { total: 0, events: 0 };
      expected.set(`tally-${id}`, {
        total: was.total + amounts.reduce((a, b) => a + b, 0),
        events: was.events + amounts.length + (open ? 1 : 0),
      });
    };

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      const moduleRef = await Test.createTestingModule({
        imports: [talliesModule({ dataSource: db.dataSource, schema: db.schema })],
      }).compile();
      app = await moduleRef.init();
      store = app.get(EventStore);
      projections = app.get(ProjectionManager);
      tallies = app.get(TalliesProjection);
    });
    afterAll(async () => {
      await app?.close();
      await db?.drop();
    });

    it('indexes the events by type and by category, so filtered readers skip other rows', async () => {
      const names = ['es_events_type_order', 'es_events_category_order'];
      const sql =
        kind === 'postgres'
          ? `SELECT indexname AS name FROM pg_indexes WHERE schemaname = '${db.schema}'`
          : kind === 'mariadb'
            ? 'SELECT DISTINCT index_name AS name FROM information_schema.statistics WHERE table_schema = DATABASE()'
            : "SELECT name FROM sqlite_master WHERE type = 'index'";
      const found = (await db.dataSource.query<{ name: string }[]>(sql)).map((r) => r.name);
      expect(found).toEqual(expect.arrayContaining(names));
    });

    it('runs four buckets, each with its own checkpoint, and projects every stream exactly', async () => {
      for (let i = 0; i < 12; i++) {
        await write(`s${i}`, [i + 100, 2 * i + 200]);
        remember(`s${i}`, [i + 100, 2 * i + 200]);
      }
      await projections.waitForCatchUp('tallies', { timeoutMs: 20_000 });
      const got = await rows();
      for (const [stream, want] of expected) expect(got.get(stream)).toMatchObject(want);
      const records = await app.get(SubscriptionStore).list();
      expect(records.map((r) => r.name).filter((n) => n.startsWith('tallies'))).toEqual([
        'tallies#0',
        'tallies#1',
        'tallies#2',
        'tallies#3',
      ]);
      const [status] = (await projections.status()).filter((s) => s.name === 'tallies');
      expect(status).toMatchObject({ state: 'running', lag: 0, parked: 0, isLeaseOwner: true });
      expect(status.partitions?.map((p) => p.name)).toEqual(records.map((r) => r.name).sort());
    });

    it('parks the key of a poison event and goes on with every other key', async () => {
      await write('poison', [1, POISON_AMOUNT, 5]);
      await write('s0', [100], false);
      remember('s0', [100], false);
      await write('poison', [7], false); // skipped: its key is parked
      await projections.waitForCatchUp('tallies', { timeoutMs: 20_000 });
      const got = await rows();
      for (const [stream, want] of expected) expect(got.get(stream)).toMatchObject(want);
      // Applied up to the poison event, nothing after it.
      expect(got.get(poison)).toMatchObject({ total: 1, events: 2, last_version: 2 });
      const parked = await projections.parked('tallies');
      expect(parked).toEqual([
        expect.objectContaining({
          projection: 'tallies',
          key: poison,
          partition: partitionOf(poison, 4),
          eventType: 'tally.added',
          streamId: poison,
          version: 3,
          attempts: 2,
          error: `poison amount in ${poison}`,
        }),
      ]);
      const [status] = (await projections.status()).filter((s) => s.name === 'tallies');
      expect(status).toMatchObject({ state: 'running', parked: 1 });
      const health = await collectWorkerHealth({
        projections,
        sagas: undefined,
        store,
        subscriptions: app.get(SubscriptionStore),
      });
      expect(health.find((w) => w.name === 'tallies')).toMatchObject({
        parkedEvents: 1,
        lagEvents: 0,
        lagMs: 0,
      });
    });

    it('keeps the key parked when a retry fails again, with one more attempt', async () => {
      const outcome = await projections.retryPartition('tallies', poison);
      expect(outcome).toEqual({
        state: 'failed',
        error: `poison amount in ${poison}`,
        attempts: 3,
      });
      expect((await projections.parked('tallies'))[0]).toMatchObject({ attempts: 3 });
      expect((await rows()).get(poison)).toMatchObject({ events: 2 });
    });

    it('after the fix, a retry applies the parked events in order and unparks the key', async () => {
      await fixSql();
      const outcome = await projections.retryPartition('tallies', poison);
      expect(outcome).toEqual({ state: 'resolved', events: 3 });
      expect(await projections.parked('tallies')).toEqual([]);
      expect((await rows()).get(poison)).toMatchObject({
        total: 1 + POISON_AMOUNT + 5 + 7,
        events: 5,
        last_version: 5,
      });
      // The key's next events go through the bucket again.
      await write('poison', [20], false);
      await projections.waitForCatchUp('tallies', { timeoutMs: 20_000 });
      expect((await rows()).get(poison)).toMatchObject({ events: 6, last_version: 6 });
      expect(await projections.retryPartition('tallies', poison)).toEqual({ state: 'not-parked' });
    });

    it('a retry requested from elsewhere (the CLI, another instance) is made by the bucket owner', async () => {
      await write('late', [1, POISON_AMOUNT]);
      await projections.waitForCatchUp('tallies', { timeoutMs: 20_000 });
      const parked = app.get(ParkedPartitionStore);
      expect((await parked.list('tallies')).map((p) => p.key)).toEqual(['tally-late']);
      await db.dataSource.query(
        kind === 'postgres'
          ? 'INSERT INTO tally_fixes (stream_id) VALUES ($1)'
          : 'INSERT INTO tally_fixes (stream_id) VALUES (?)',
        ['tally-late'],
      );
      expect(await parked.requestRetry('tallies', 'tally-late')).toBe(true);
      const deadline = Date.now() + 10_000;
      while ((await parked.list('tallies')).length > 0 && Date.now() < deadline) await sleep(50);
      expect(await parked.list('tallies')).toEqual([]);
      expect((await rows()).get('tally-late')).toMatchObject({
        total: 1 + POISON_AMOUNT,
        events: 3,
      });
      expected.set('tally-late', { total: 1 + POISON_AMOUNT, events: 3 });
      expected.set(poison, { total: 1 + POISON_AMOUNT + 5 + 7 + 20, events: 6 });
    });

    // SQLite has no deadlocks, and a raw ROLLBACK there leaves TypeORM's one shared connection
    // believing it is still in a transaction.
    if (kind !== 'sqlite') {
      it('an error that ended the batch transaction (a deadlock) fails the batch, parks nothing, and the batch is retried', async () => {
        tallies.endTransactionOn = 77;
        await write('dl', [1, 77, 2]);
        remember('dl', [1, 77, 2]);
        await projections.waitForCatchUp('tallies', { timeoutMs: 20_000 });
        expect(tallies.endTransactionOn).toBeUndefined(); // it did happen
        expect(await projections.parked('tallies')).toEqual([]);
        expect((await rows()).get('tally-dl')).toMatchObject({ total: 80, events: 4 });
      });
    }

    it('rebuilds one bucket: its reset hook gets the bucket, the other rows stay', async () => {
      const bucket = partitionOf('tally-s1', 4);
      const before = await rows();
      tallies.resets.length = 0;
      await projections.rebuild('tallies', { partition: bucket, timeoutMs: 20_000 });
      expect(tallies.resets).toHaveLength(1);
      expect(tallies.resets[0]).toMatchObject({ index: bucket, count: 4 });
      expect(await rows()).toEqual(before);
      for (const [stream, want] of expected) expect((await rows()).get(stream)).toMatchObject(want);
    });

    it('rebuilds the whole projection: one reset for all buckets, then every key again', async () => {
      tallies.resets.length = 0;
      await projections.rebuild('tallies', { timeoutMs: 20_000 });
      expect(tallies.resets).toEqual([undefined]);
      const got = await rows();
      for (const [stream, want] of expected) expect(got.get(stream)).toMatchObject(want);
      expect(got.size).toBe(expected.size);
      await expect(projections.rebuild('tallies', { blueGreen: true })).rejects.toThrow(
        /partitioned/,
      );
    });
  },
);
