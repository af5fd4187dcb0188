import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EventSourcingModule,
  ProjectionManager,
  getAggregateRepositoryToken,
  type AggregateRepository,
} from 'nestjs-event-sourcing';
import { Account } from '../support/account.domain.js';
import { BalancesProjection } from '../support/balances.projection.js';
import { cliTestModule, runCli } from '../support/cli-harness.js';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js';

interface StatusJson {
  name: string;
  state: string;
  storedState?: string;
  isLeaseOwner: boolean;
  leaseOwner?: string;
  leaseExpiresAt?: string;
}

/**
 * The application runs the projection; the CLI, another app instance without workers, must report
 * what the database says (stored state, lease holder and expiry), not its own idle workers.
 */
describe.each(['postgres', 'mariadb', 'sqlite'] as const)(
  'projections status of a projection another instance runs, on %s',
  (kind) => {
    let db: TestDatabase;
    let cli: DynamicModule;
    let app: INestApplicationContext | undefined;

    const status = async (): Promise<StatusJson> => {
      const run = await runCli(cli, 'projections', 'status', '--json');
      expect(run.code).toBe(0);
      return (JSON.parse(run.stdout) as StatusJson[]).find((s) => s.name === 'balances')!;
    };

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      cli = cliTestModule(db);
      const started = await Test.createTestingModule({
        imports: [
          CqrsModule.forRoot(),
          EventSourcingModule.forRoot({ dataSource: db.dataSource, schema: db.schema }),
          EventSourcingModule.forFeature([Account]),
        ],
        providers: [BalancesProjection],
      })
        .compile()
        .then((moduleRef) => moduleRef.init());
      app = started;
      const accounts = started.get<AggregateRepository<Account>>(
        getAggregateRepositoryToken(Account),
      );
      await accounts.save(Account.open(randomUUID(), 'lease'));
      await started.get(ProjectionManager).waitForCatchUp('balances', { timeoutMs: 20_000 });
    });
    afterAll(async () => {
      await app?.close();
      await db?.drop();
    });

    it('shows it running, with the owner that holds the lease and until when', async () => {
      const before = Date.now();
      const json = await status();
      expect(json).toMatchObject({ state: 'running', storedState: 'running', isLeaseOwner: false });
      expect(json.leaseOwner).toMatch(new RegExp(`:${process.pid}:`));
      expect(new Date(json.leaseExpiresAt!).getTime()).toBeGreaterThan(before);

      const table = await runCli(cli, 'projections', 'status');
      const row = table.stdout.split('\n').find((line) => line.startsWith('balances'))!;
      expect(row).toMatch(/\brunning\b/);
      expect(row).not.toMatch(/\bstopped\b/);
      expect(row).toContain(json.leaseOwner);
      expect(table.stdout).toMatch(/LEASE UNTIL/);
      expect(row).toMatch(/\d{2}:\d{2}:\d{2}/);
    });

    it('shows it stopped, without a lease, once that instance has shut down', async () => {
      await app!.close();
      app = undefined;
      const json = await status();
      expect(json).toMatchObject({ state: 'stopped', storedState: 'stopped' });
      expect(json.leaseOwner).toBeUndefined();
      const table = await runCli(cli, 'projections', 'status');
      const row = table.stdout.split('\n').find((line) => line.startsWith('balances'))!;
      expect(row).toMatch(/\bstopped\b/);
    });
  },
);
