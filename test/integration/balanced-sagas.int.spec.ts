import type { INestApplicationContext } from '@nestjs/common';
import { Injectable } from '@nestjs/common';
import { CqrsModule, type ICommand, type IEvent } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { filter, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { DomainEvent, DurableSaga, EventSourcingModule, SagaManager } from 'nestjs-event-sourcing';
import { createTestDatabase, type DatabaseKind } from '../support/test-databases.js';

@DomainEvent('balanced-saga.pinged')
class Pinged {}

/** Sends no command: only who holds each saga's lease matters here. */
const quiet = (events$: Observable<IEvent>): Observable<ICommand> =>
  events$.pipe(filter((): boolean => false));
const options = { events: [Pinged], pollIntervalMs: 50 };

@Injectable()
class BalancedSagas {
  @DurableSaga('bs1', options) bs1 = quiet;
  @DurableSaga('bs2', options) bs2 = quiet;
  @DurableSaga('bs3', options) bs3 = quiet;
  @DurableSaga('bs4', options) bs4 = quiet;
}

describe.each<DatabaseKind>(['postgres', 'mariadb'])('saga leases on %s', (kind) => {
  it('two instances of the module split four durable sagas two and two; one left: it takes all', async () => {
    const db = await createTestDatabase(kind);
    const apps: INestApplicationContext[] = [];
    const boot = async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          CqrsModule.forRoot(),
          EventSourcingModule.forRoot({ dataSource: db.dataSource, schema: db.schema }),
        ],
        providers: [BalancedSagas],
      }).compile();
      const app = await moduleRef.init();
      apps.push(app);
      return app;
    };
    const owned = async (app: INestApplicationContext) =>
      (await app.get(SagaManager).status()).filter((s) => s.isLeaseOwner).length;
    const until = async (what: string, check: () => Promise<boolean>) => {
      const deadline = Date.now() + 40_000;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`${what} did not happen within 40 s`);
        await sleep(100);
      }
    };
    try {
      const first = await boot();
      await until('the first instance holds all four', async () => (await owned(first)) === 4);
      const second = await boot();
      await until(
        'two and two',
        async () => (await owned(first)) === 2 && (await owned(second)) === 2,
      );
      await second.close(); // graceful: its leases and its heartbeat go at once
      apps.pop();
      await until(
        'the first instance holds all four again',
        async () => (await owned(first)) === 4,
      );
      expect(await owned(first)).toBe(4);
    } finally {
      for (const app of apps) await app.close();
      await db.drop();
    }
  }, 90_000);
});
