import type { INestApplicationContext } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EventSourcingModule,
  ProjectionManager,
  getAggregateRepositoryToken,
  retryOnConcurrencyError,
  type AggregateRepository,
} from 'nestjs-event-sourcing';
import { Account } from '../support/account.domain.js';
import { runCli } from '../support/cli-harness.js';
import { DepositCountProjection } from '../support/balances.projection.js';
import { BlueGreenProjection } from '../support/blue-green.projection.js';
import {
  createTestDatabase,
  type DatabaseKind,
  type TestDatabase,
} from '../support/test-databases.js';

describe.each<DatabaseKind>(['sqlite', 'postgres', 'mariadb'])(
  'blue/green rebuild on %s',
  (kind) => {
    let db: TestDatabase;
    let app: INestApplicationContext;
    let accounts: AggregateRepository<Account>;
    const ids = Array.from({ length: 8 }, (_, i) => `bg-${kind}-${i}`);
    let deposits = 0;

    const liveTable = async () =>
      (await db.dataSource.query<{ live: string }[]>('SELECT live FROM bg_pointer'))[0].live;
    const rows = async (table: string) =>
      (
        await db.dataSource.query<{ id: string; balance: number }[]>(
          `SELECT id, balance FROM ${table} ORDER BY id`,
        )
      ).map((r) => ({ id: r.id, balance: Number(r.balance) }));
    const deposit = async (id: string, amount: number) => {
      await retryOnConcurrencyError(
        async () => {
          const account = await accounts.load(id);
          account.deposit(amount);
          await accounts.save(account);
        },
        { attempts: 20 },
      );
      deposits++;
    };

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      const moduleRef = await Test.createTestingModule({
        imports: [
          CqrsModule.forRoot(),
          EventSourcingModule.forRoot({ dataSource: db.dataSource, schema: db.schema }),
          EventSourcingModule.forFeature([Account]),
        ],
        providers: [BlueGreenProjection, DepositCountProjection],
      }).compile();
      app = await moduleRef.init();
      accounts = app.get(getAggregateRepositoryToken(Account));
      for (const [i, id] of ids.entries()) {
        await accounts.save(Account.open(id, 'bg'));
        for (let n = 0; n < 5; n++) await deposit(id, i + 1);
      }
      await app.get(ProjectionManager).waitForCatchUp('bg_balances', { timeoutMs: 20_000 });
    });
    afterAll(async () => {
      await app?.close();
      await db?.drop();
    });

    it('builds the new copy while the old one serves and follows the log, then swaps', async () => {
      const projections = app.get(ProjectionManager);
      const before = await liveTable();
      expect(await rows(before)).toHaveLength(ids.length);

      let rebuilding = true;
      let servedEmpty = 0;
      let sawRebuildingState = false;
      const rebuild = projections
        .rebuild('bg_balances', { blueGreen: true })
        .finally(() => (rebuilding = false));
      const traffic = (async () => {
        for (let n = 0; rebuilding || n < 10; n++) {
          await deposit(ids[n % ids.length], 100);
          if ((await rows(await liveTable())).length < ids.length) servedEmpty++;
          if (
            (await projections.status()).some(
              (s) => s.name === 'bg_balances' && s.state === 'rebuilding',
            )
          ) {
            sawRebuildingState = true;
          }
          await sleep(5);
        }
      })();
      await Promise.all([rebuild, traffic]);
      await projections.waitForCatchUp('bg_balances', { timeoutMs: 20_000 });

      expect(await liveTable()).not.toBe(before);
      expect(servedEmpty).toBe(0);
      expect(sawRebuildingState).toBe(true);
      const expected = await Promise.all(
        ids.map(async (id) => ({ id, balance: (await accounts.load(id)).balance })),
      );
      expect(await rows(await liveTable())).toEqual(
        expected.sort((a, b) => a.id.localeCompare(b.id)),
      );
      // Every deposit emitted its audit event exactly once: none again, none lost.
      const emitted = await db.dataSource.query<{ n: number | string }[]>(
        "SELECT COUNT(*) AS n FROM es_events WHERE category = 'bgaudit'",
      );
      expect(Number(emitted[0].n)).toBe(deposits);
    });

    it('refuses a blue/green rebuild of a projection without a swap hook', async () => {
      await expect(
        app.get(ProjectionManager).rebuild('deposit_count', { blueGreen: true }),
      ).rejects.toThrow(/needs a @ProjectionSwap\(\) method/);
    });

    it('still rebuilds in place on request', async () => {
      await app.get(ProjectionManager).rebuild('bg_balances');
      const expected = await Promise.all(
        ids.map(async (id) => ({ id, balance: (await accounts.load(id)).balance })),
      );
      expect(await rows(await liveTable())).toEqual(
        expected.sort((a, b) => a.id.localeCompare(b.id)),
      );
    });

    it('runs from the CLI with --blue-green once no instance runs the projection', async () => {
      const cliModule = () => ({
        module: class BlueGreenCli {},
        imports: [
          CqrsModule.forRoot(),
          EventSourcingModule.forRoot({
            dataSource: db.dataSource,
            schema: db.schema,
            workers: false,
          }),
          EventSourcingModule.forFeature([Account]),
        ],
        providers: [BlueGreenProjection],
      });
      const refused = await runCli(
        cliModule(),
        'projections',
        'rebuild',
        'bg_balances',
        '--blue-green',
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/another process runs projection "bg_balances"/);

      await app.close(); // the application's instance stops running the projection
      const before = await liveTable();
      const expected = await rows(before);
      const run = await runCli(
        cliModule(),
        'projections',
        'rebuild',
        'bg_balances',
        '--blue-green',
      );
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('projection "bg_balances" rebuilt');
      expect(run.stderr).toMatch(/100%/);
      expect(await liveTable()).not.toBe(before);
      expect(await rows(await liveTable())).toEqual(expected);
    });
  },
);
