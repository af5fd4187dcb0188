import type { INestApplicationContext } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EventSourcingModule,
  Projection,
  ProjectionHandler,
  ProjectionManager,
  getAggregateRepositoryToken,
  type AggregateRepository,
} from 'nestjs-event-sourcing';
import { Account, MoneyDeposited } from '../support/account.domain.js';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js';

/** Polls once a minute: seeing a saved event within seconds means the save woke the worker. */
@Projection('wake_up_poller', { pollIntervalMs: 60_000 })
class SlowPoller {
  readonly seen = new Set<string>();
  @ProjectionHandler(MoneyDeposited)
  deposited(event: MoneyDeposited) {
    this.seen.add(event.accountId);
  }
}

/**
 * A save through the repository wakes the projection workers of its application, like an append
 * through the EventStore does (the benchmark's lag table compares both paths), on every database
 * and also when the save runs in a caller's transaction (woken once that commits).
 */
describe.each(['sqlite', 'postgres', 'mariadb'] as const)(
  'repository save wakes workers on %s',
  (kind) => {
    let db: TestDatabase;
    let app: INestApplicationContext;
    let accounts: AggregateRepository<Account>;
    let poller: SlowPoller;

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      const moduleRef = await Test.createTestingModule({
        imports: [
          CqrsModule.forRoot(),
          EventSourcingModule.forRoot({ dataSource: db.dataSource, schema: db.schema }),
          EventSourcingModule.forFeature([Account]),
        ],
        providers: [SlowPoller],
      }).compile();
      app = await moduleRef.init();
      accounts = app.get(getAggregateRepositoryToken(Account));
      poller = app.get(SlowPoller);
      await app.get(ProjectionManager).waitForCatchUp('wake_up_poller', { timeoutMs: 20_000 });
      await sleep(200); // the worker has gone to sleep for its 60 s poll
    });
    afterAll(async () => {
      await app?.close();
      await db?.drop();
    });

    /** Waits up to 5 s (a poll would take 60 s) for the projection to see the account's deposit. */
    async function seenWithinSeconds(accountId: string): Promise<boolean> {
      const deadline = Date.now() + 5_000;
      while (!poller.seen.has(accountId) && Date.now() < deadline) await sleep(5);
      return poller.seen.has(accountId);
    }

    it('sees an event saved through the repository within seconds, not at the next poll', async () => {
      for (const id of ['w1', 'w2', 'w3']) {
        const account = Account.open(id, 'owner');
        account.deposit(5);
        await accounts.save(account);
        expect(await seenWithinSeconds(id), `${id} not projected within 5 s`).toBe(true);
      }
    });

    it('sees an event saved in a caller transaction once that transaction commits', async () => {
      const account = Account.open('wtx', 'owner');
      account.deposit(7);
      await db.dataSource.transaction((manager) => accounts.save(account, { manager }));
      expect(await seenWithinSeconds('wtx'), 'wtx not projected within 5 s').toBe(true);
    });
  },
);
