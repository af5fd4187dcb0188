import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EventSourcingModule,
  EventStore,
  MAX_PAGE_SIZE,
  ProjectionManager,
  getAggregateRepositoryToken,
  type AggregateRepository,
} from 'nestjs-event-sourcing';
import { EventStoreConnection } from '../../lib/nest/event-store-connection.js';
import { Account } from '../support/account.domain.js';
import { BalancesProjection } from '../support/balances.projection.js';
import { cliTestModule, runCli } from '../support/cli-harness.js';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js';

interface StatusJson {
  name: string;
  state: string;
  position: number;
  headPosition: number;
  lag: number;
  isLeaseOwner: boolean;
  leaseOwner?: string;
  lastError?: string;
}

describe('the operator CLI without a database', () => {
  // Booting this module fails: the commands below must not boot the application.
  @Module({})
  class Unbootable {}
  const unbootable: DynamicModule = {
    module: Unbootable,
    providers: [
      {
        provide: 'boot',
        useFactory: () => {
          throw new Error('the application was booted');
        },
      },
    ],
  };

  it('prints help for the program and the projections group, exit code 0', async () => {
    const root = await runCli(unbootable, '--help');
    expect(root.code).toBe(0);
    expect(root.stdout).toMatch(/Usage: cli \[options\] \[command\]/);
    expect(root.stdout).toMatch(/projections\s+inspect and control the projections/);
    expect(root.stdout).toMatch(/schema\s+print or create the library's tables/);

    const group = await runCli(unbootable, 'projections', '--help');
    expect(group.code).toBe(0);
    for (const command of ['status', 'start', 'stop', 'reset', 'rebuild', 'delete']) {
      expect(group.stdout).toMatch(new RegExp(`^  ${command} .*\\S`, 'm'));
    }
    expect(group.stdout).toContain('workers: false');
    expect(group.stderr).not.toContain('booted');
  });

  it('reports usage errors with exit code 1, without booting the application', async () => {
    const missing = await runCli(unbootable, 'projections', 'rebuild');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("error: missing required argument 'name'");
    const unknown = await runCli(unbootable, 'projectoins', 'status');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("error: unknown command 'projectoins'");
    expect(missing.stderr + unknown.stderr).not.toContain('booted');
  });
});

describe.each(['postgres', 'mariadb', 'sqlite'] as const)('the operator CLI on %s', (kind) => {
  let db: TestDatabase;
  let cli: DynamicModule;
  let writer: INestApplicationContext;
  let accounts: AggregateRepository<Account>;
  /** What the balances read model must hold: every account the tests opened. */
  const expected = new Map<string, number>();

  const balanceRows = async () => {
    const rows = await db.dataSource.query<{ id: string; balance: number }[]>(
      'SELECT id, balance FROM balances ORDER BY id',
    );
    return rows.map((r) => ({ id: r.id, balance: Number(r.balance) }));
  };
  const expectedRows = () =>
    [...expected]
      .map(([id, balance]) => ({ id, balance }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const openAccount = async (...deposits: number[]) => {
    const account = Account.open(randomUUID(), 'cli');
    for (const amount of deposits) account.deposit(amount);
    await accounts.save(account);
    expected.set(account.id, account.balance);
  };
  const status = async (): Promise<StatusJson> => {
    const run = await runCli(cli, 'projections', 'status', '--json');
    expect(run.code).toBe(0);
    const all = JSON.parse(run.stdout) as StatusJson[];
    return all.find((s) => s.name === 'balances')!;
  };
  const eventCount = async () =>
    (await writer.get(EventStore).readAll({ maxCount: MAX_PAGE_SIZE })).events.length;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    cli = cliTestModule(db);
    // The application, appending while the CLI operates (without workers, like the CLI).
    writer = await Test.createTestingModule({ imports: [cliTestModule(db)] })
      .compile()
      .then((moduleRef) => moduleRef.init());
    accounts = writer.get(getAggregateRepositoryToken(Account));
    // Deployed before any event: its init hook creates the read model (a reset needs it).
    expect((await runCli(cli, 'projections', 'start', 'balances')).code).toBe(0);
    for (let i = 0; i < 6; i++) await openAccount(10 * (i + 1), i);
  });
  afterAll(async () => {
    await writer?.close();
    await db?.drop();
  });

  it('status lists the projection with its lag after events were appended', async () => {
    const run = await runCli(cli, 'projections', 'status');
    expect(run.code).toBe(0);
    const json = await status();
    expect(json).toMatchObject({ state: 'stopped', position: 0, isLeaseOwner: false });
    expect(json.headPosition).toBeGreaterThanOrEqual(18);
    expect(json.lag).toBe(json.headPosition);
    const [header, row] = run.stdout.trimEnd().split('\n');
    expect(header).toMatch(
      /^NAME\s+MODE\s+STATE\s+POSITION\s+HEAD\s+LAG\s+LEASE\s+LEASE UNTIL\s+LAST ERROR$/,
    );
    expect(row).toMatch(
      new RegExp(
        `^balances\\s+async\\s+stopped\\s+0\\s+${json.headPosition}\\s+${json.lag}\\s+-\\s+-\\s+-$`,
      ),
    );
  });

  it('rebuild shows its progress, leaves a correct read model, and status then shows lag 0', async () => {
    const run = await runCli(cli, 'projections', 'rebuild', 'balances');
    expect(run.stderr).not.toMatch(/^error/m);
    expect(run.code).toBe(0);
    const head = (await status()).headPosition;
    const done = head.toLocaleString('en-US');
    expect(run.stderr).toMatch(
      new RegExp(`balances \\[█{30}\\]  100%  ${done}/${done} events  [\\d,]+ ev/s  took \\S+\\n$`),
    );
    expect(run.stdout).toMatch(
      new RegExp(`^projection "balances" rebuilt: replayed the log up to position ${head} in `),
    );
    expect(await balanceRows()).toEqual(expectedRows());
    expect(await status()).toMatchObject({ position: head, headPosition: head, lag: 0 });
    const table = await runCli(cli, 'projections', 'status');
    expect(table.stdout).toMatch(
      new RegExp(`^balances\\s+async\\s+stopped\\s+${head}\\s+${head}\\s+0\\s`, 'm'),
    );
  });

  it('a rebuild whose handler throws exits 1 with the error; start resumes after the fix', async () => {
    await openAccount(13);
    const failing = await runCli(
      cliTestModule(db, { refuseDeposit: 13 }),
      'projections',
      'rebuild',
      'balances',
    );
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(
      /error: subscription "balances" failed at position \d+: refusing deposit of 13/,
    );
    expect(failing.stderr).toContain('"projections start balances" to resume');
    expect(await status()).toMatchObject({ state: 'failed', lastError: 'refusing deposit of 13' });

    const started = await runCli(cli, 'projections', 'start', 'balances');
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/^projection "balances" started and caught up: position \d+/);
    expect((await status()).state).toBe('stopped');
    expect(await balanceRows()).toEqual(expectedRows());
  });

  it('exits 1 on an unknown projection, with the known names', async () => {
    for (const command of ['start', 'stop', 'reset', 'rebuild']) {
      const run = await runCli(cli, 'projections', command, 'nope');
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        'error: no projection is named "nope"; known projections: balances\n',
      );
    }
  });

  it('status names the process that holds the lease, and stop refuses to stop it', async () => {
    const worker = await Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        EventSourcingModule.forRoot({ dataSource: db.dataSource, schema: db.schema }),
        EventSourcingModule.forFeature([Account]),
      ],
      providers: [BalancesProjection],
    })
      .compile()
      .then((moduleRef) => moduleRef.init());
    try {
      await worker.get(ProjectionManager).waitForCatchUp('balances', { timeoutMs: 20_000 });
      const json = await status();
      expect(json.leaseOwner).toMatch(new RegExp(`:${process.pid}:`));
      const table = await runCli(cli, 'projections', 'status');
      expect(table.stdout).toContain(json.leaseOwner);

      const stop = await runCli(cli, 'projections', 'stop', 'balances');
      expect(stop.code).toBe(1);
      expect(stop.stderr).toContain(`projection "balances" runs in process ${json.leaseOwner}`);
    } finally {
      await worker.close();
    }
    const stop = await runCli(cli, 'projections', 'stop', 'balances');
    expect(stop.code).toBe(0);
    expect(stop.stdout).toMatch(/^projection "balances" is stopped: no process runs it/);
  });

  it('reset empties the read model and moves the checkpoint to the start', async () => {
    const run = await runCli(cli, 'projections', 'reset', 'balances');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('projection "balances" reset');
    expect(await balanceRows()).toEqual([]);
    const json = await status();
    expect(json).toMatchObject({ position: 0, lag: json.headPosition });
  });

  it('schema sql prints the CREATE TABLE statements of the events and subscriptions tables', async () => {
    const run = await runCli(cli, 'schema', 'sql');
    expect(run.code).toBe(0);
    const statements = writer.get(EventStoreConnection).schemaSql();
    const distinct = [...new Set(statements)];
    // The MySQL append procedure has statements of its own: the mysql client needs DELIMITER.
    const ended = (s: string) =>
      s.startsWith('CREATE PROCEDURE') ? `DELIMITER //\n${s} //\nDELIMITER ;\n` : `${s};\n`;
    expect(run.stdout).toBe(distinct.map(ended).join(''));
    const tables = [...run.stdout.matchAll(/CREATE TABLE IF NOT EXISTS (\S+)/g)].map((m) => m[1]);
    expect(tables.some((t) => /es_events\W*$/.test(t))).toBe(true);
    expect(tables.some((t) => /es_subscriptions\W*$/.test(t))).toBe(true);
  });

  it('schema migrate is idempotent: it runs twice and keeps every event', async () => {
    const events = await eventCount();
    for (let i = 0; i < 2; i++) {
      const run = await runCli(cli, 'schema', 'migrate');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^schema up to date: \d+ idempotent statements run\n$/);
    }
    expect(await eventCount()).toBe(events);
  });

  it('delete refuses without --yes, and drops the read model with it', async () => {
    const rebuilt = await runCli(cli, 'projections', 'rebuild', 'balances');
    expect(rebuilt.code).toBe(0);
    const refused = await runCli(cli, 'projections', 'delete', 'balances');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: not deleting projection "balances" without --yes/);
    expect(await balanceRows()).toEqual(expectedRows());

    const deleted = await runCli(cli, 'projections', 'delete', 'balances', '--yes');
    expect(deleted.code).toBe(0);
    await expect(balanceRows()).rejects.toThrow();
    expect((await status()).position).toBe(0);
  });
});
