import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { TypeOrmEventStore, partitionOf } from 'nestjs-event-sourcing';
import { TypeOrmParkedPartitionStore } from '../../lib/sql/typeorm-parked-partition-store.js';
import { TypeOrmSubscriptionStore } from '../../lib/sql/typeorm-subscription-store.js';
import { DrillChildren } from '../support/child-process.js';
import { POISON_AMOUNT, tallyEvents } from '../support/tallies.projection.js';
import type { TalliesChildConfig } from '../support/tallies-child.js';
import { createTestDatabase, type DatabaseKind } from '../support/test-databases.js';

const STREAMS = 100;
const BUCKETS = ['tallies#0', 'tallies#1', 'tallies#2', 'tallies#3'];
const POISON = 'tally-s42';

const children = new DrillChildren();
afterAll(() => children.removeAll());

describe.each<DatabaseKind>(['postgres', 'mariadb'])(
  'partitioned projection drill on %s',
  (kind) => {
    it('two instances share 4 buckets; a poison event parks only its stream; after the fix and a retry it catches up', async () => {
      const db = await createTestDatabase(kind);
      try {
        const store = new TypeOrmEventStore(db.dataSource, { schema: db.schema });
        await store.migrate();
        const subscriptions = new TypeOrmSubscriptionStore(db.dataSource, { schema: db.schema });
        const parked = new TypeOrmParkedPartitionStore(db.dataSource, { schema: db.schema });
        const p = (sql: string) => (kind === 'postgres' ? sql.replace('?', '$1') : sql);
        const expected = new Map<string, { total: number; events: number }>();
        let written = 0;
        /** One append per stream of `adds` amounts (1..7, never the poison), 4 writers at once. */
        const round = async (adds: number, open: boolean) => {
          const ids = Array.from({ length: STREAMS }, (_, i) => `s${i}`);
          await Promise.all(
            [0, 1, 2, 3].map(async (w) => {
              for (const id of ids.filter((_, i) => i % 4 === w)) {
                const amounts = Array.from({ length: adds }, (_, k) => ((k + id.length) % 7) + 1);
                if (`tally-${id}` === POISON && open) amounts[1] = POISON_AMOUNT; // version 3
                await store.appendToStream(`tally-${id}`, tallyEvents(id, amounts, open));
                written += amounts.length + (open ? 1 : 0);
                const was = expected.get(`tally-${id}`) ?? { total: 0, events: 0 };
                expected.set(`tally-${id}`, {
                  total: was.total + amounts.reduce((a, b) => a + b, 0),
                  events: was.events + amounts.length + (open ? 1 : 0),
                });
              }
            }),
          );
        };
        const tallies = async () => {
          const rows = await db.dataSource
            .query<{ stream_id: string; total: unknown; events: unknown }[]>(
              'SELECT * FROM tallies',
            )
            .catch(() => []);
          return new Map(
            rows.map((r) => [r.stream_id, { total: Number(r.total), events: Number(r.events) }]),
          );
        };
        const exact = async (streams: string[]) => {
          const got = await tallies();
          return streams.every(
            (s) =>
              got.get(s)?.total === expected.get(s)!.total &&
              got.get(s)?.events === expected.get(s)!.events,
          );
        };
        const holders = async () => {
          const map = new Map<string, string[]>();
          for (const r of await subscriptions.list()) {
            if (!BUCKETS.includes(r.name) || !r.leaseOwner) continue;
            if (!r.leaseExpiresAt || r.leaseExpiresAt.getTime() <= Date.now()) continue;
            map.set(r.leaseOwner, [...(map.get(r.leaseOwner) ?? []), r.name]);
          }
          return map;
        };
        const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 60_000) => {
          const deadline = Date.now() + timeoutMs;
          while (!(await check())) {
            if (Date.now() > deadline) throw new Error(`${what} did not happen in ${timeoutMs} ms`);
            await sleep(50);
          }
        };

        await round(5, true); // a backlog before the instances start: 600 events
        const config: TalliesChildConfig = { options: db.options, schema: db.schema };
        const startedAt = Date.now();
        const a = await children.start('test/support/tallies-child.ts', config);
        const b = await children.start('test/support/tallies-child.ts', config);
        await Promise.all([a.printed('instance '), b.printed('instance ')]);
        const bootMs = Date.now() - startedAt;
        const ids = [a, b].map((c) => /instance (\S+)/.exec(c.output())![1]);
        await until('two buckets per instance', async () => {
          const map = await holders();
          return ids.every((id) => map.get(id)?.length === 2);
        });
        const spread = [...(await holders())].map(
          ([owner, names]) => `${owner}: ${names.join(',')}`,
        );
        const spreadMs = Date.now() - startedAt - bootMs;
        const writeAt = Date.now();
        await round(4, false); // 400 more while both run
        const writtenMs = Date.now() - writeAt;
        const healthy = [...expected.keys()].filter((s) => s !== POISON);
        await until('every other stream exact', () => exact(healthy));
        const projectedMs = Date.now() - writeAt;
        // Projected up to the poison event (opened, first amount), nothing after it.
        expect((await tallies()).get(POISON)?.events).toBe(2);
        const rows = await parked.list('tallies');
        expect(rows).toEqual([
          expect.objectContaining({
            key: POISON,
            partition: partitionOf(POISON, 4),
            version: 3,
            eventType: 'tally.added',
          }),
        ]);

        await db.dataSource.query(p('INSERT INTO tally_fixes (stream_id) VALUES (?)'), [POISON]);
        const retriedAt = Date.now();
        expect(await parked.requestRetry('tallies', POISON)).toBe(true); // as the CLI does
        await until('the parked stream caught up', async () => {
          return (await parked.list('tallies')).length === 0 && (await exact([POISON]));
        });
        const catchUpMs = Date.now() - retriedAt;
        await round(1, false); // every stream, the fixed one included, goes on
        await until('all streams exact', () => exact([...expected.keys()]));
        const perInstance = [...(await holders()).values()].map((n) => n.length);
        expect(perInstance).toEqual([2, 2]);
        console.log(
          `[drill partitions ${kind}] ${written} events over ${STREAMS} streams, 4 buckets, ` +
            `2 instances holding ${perInstance.join('/')} (${spread.join('; ')}); ` +
            `instances booted in ${bootMs} ms, buckets spread 2/2 ${spreadMs} ms later; ` +
            `400 events written in ${writtenMs} ms by 4 writers, the ${STREAMS - 1} healthy streams ` +
            `exact ${projectedMs} ms after the writes began, with ${POISON} parked; ` +
            `after the fix a requested retry caught it up in ${catchUpMs} ms`,
        );
        await a.kill();
        await b.kill();
      } finally {
        await db.drop();
      }
    }, 180_000);
  },
);
