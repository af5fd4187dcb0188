import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { TypeOrmEventStore } from 'nestjs-event-sourcing';
import { TypeOrmSubscriptionStore } from '../../lib/sql/typeorm-subscription-store.js';
import type { BalancedChildConfig } from '../support/balanced-child.js';
import { DrillChildren, type DrillChild } from '../support/child-process.js';
import { createTestDatabase, type DatabaseKind } from '../support/test-databases.js';

const PROJECTIONS = ['rm_1', 'rm_2', 'rm_3', 'rm_4', 'rm_5', 'rm_6'];
const LEASE_TTL_MS = 2000;

const children = new DrillChildren();
afterAll(() => children.removeAll());

describe.each<DatabaseKind>(['postgres', 'mariadb'])('balanced workers drill on %s', (kind) => {
  it('three instances hold two leases each; a SIGKILLed one is replaced within the lease time; a new one gets its share', async () => {
    const db = await createTestDatabase(kind);
    try {
      const store = new TypeOrmEventStore(db.dataSource, { schema: db.schema });
      await store.migrate();
      const subscriptions = new TypeOrmSubscriptionStore(db.dataSource, { schema: db.schema });
      await subscriptions.migrate();
      await db.dataSource.query(
        'CREATE TABLE balanced_rm (projection VARCHAR(32) NOT NULL, event_id VARCHAR(64) NOT NULL)',
      );
      const config: BalancedChildConfig = {
        options: db.options,
        schema: db.schema,
        projections: PROJECTIONS,
        insertSql:
          kind === 'postgres'
            ? 'INSERT INTO balanced_rm (projection, event_id) VALUES ($1, $2)'
            : 'INSERT INTO balanced_rm (projection, event_id) VALUES (?, ?)',
        leaseTtlMs: LEASE_TTL_MS,
      };
      let written = 0;
      const write = async (count: number) => {
        for (let i = 0; i < count; i++) {
          await store.appendToStream(`item-${i % 10}`, [{ type: 'item.touched', data: { i } }]);
          written++;
        }
      };
      const start = async () => {
        const child = await children.start('test/support/balanced-child.ts', config);
        await child.printed('instance ');
        return { child, id: /instance (\S+)/.exec(child.output())![1] };
      };
      /** Live lease holders: owner -> projections. */
      const holders = async () => {
        const now = Date.now();
        const map = new Map<string, string[]>();
        for (const r of await subscriptions.list()) {
          if (!PROJECTIONS.includes(r.name) || !r.leaseOwner) continue;
          if (!r.leaseExpiresAt || r.leaseExpiresAt.getTime() <= now) continue;
          map.set(r.leaseOwner, [...(map.get(r.leaseOwner) ?? []), r.name]);
        }
        return map;
      };
      const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 30_000) => {
        const deadline = Date.now() + timeoutMs;
        while (!(await check())) {
          if (Date.now() > deadline) {
            throw new Error(
              `${what} did not happen within ${timeoutMs} ms: ${JSON.stringify([...(await holders())])}`,
            );
          }
          await sleep(50);
        }
      };
      const balanced = (ids: string[], each: number) => async () => {
        const map = await holders();
        return (
          ids.every((id) => map.get(id)?.length === each) &&
          [...map.keys()].every((k) => ids.includes(k))
        );
      };

      await write(300);
      const a = await start();
      const b = await start();
      const c = await start();
      await until('two leases each', balanced([a.id, b.id, c.id], 2));
      const distribution = [...(await holders())].map(([, names]) => names.length);

      const killedAt = Date.now();
      await c.child.kill();
      await until(
        'the killed instance replaced',
        balanced([a.id, b.id], 3),
        4 * LEASE_TTL_MS + 10_000,
      );
      const failoverMs = Date.now() - killedAt;
      await write(300);

      const d = await start();
      const joinedAt = Date.now();
      await until('rebalanced after the restart', balanced([a.id, b.id, d.id], 2));
      const rebalanceMs = Date.now() - joinedAt;

      await until('every read model exact', async () => {
        const rows = await db.dataSource.query<{ projection: string; n: unknown; d: unknown }[]>(
          'SELECT projection, COUNT(*) AS n, COUNT(DISTINCT event_id) AS d FROM balanced_rm GROUP BY projection',
        );
        return (
          rows.length === 6 && rows.every((r) => Number(r.n) === written && Number(r.d) === written)
        );
      });
      const rows = await db.dataSource.query<{ n: unknown; d: unknown }[]>(
        'SELECT projection, COUNT(*) AS n, COUNT(DISTINCT event_id) AS d FROM balanced_rm GROUP BY projection',
      );
      for (const r of rows) expect([Number(r.n), Number(r.d)]).toEqual([600, 600]);
      expect(distribution).toEqual([2, 2, 2]);
      console.log(
        `[drill balanced ${kind}] leases per instance ${distribution.join('/')}; ` +
          `failover after SIGKILL ${failoverMs} ms (lease ${LEASE_TTL_MS} ms); ` +
          `rebalanced ${rebalanceMs} ms after a new instance started; 6 read models x 600 events exact`,
      );
      for (const child of [a, b, d] as { child: DrillChild }[]) await child.child.kill();
    } finally {
      await db.drop();
    }
  }, 120_000);
});
