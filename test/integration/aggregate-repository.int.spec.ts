import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  CommandBus,
  CommandHandler,
  CqrsModule,
  EventsHandler,
  type ICommandHandler,
  type IEventHandler,
} from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AggregateNotFoundError,
  ConcurrencyError,
  EventSourcingModule,
  EventStore,
  InjectAggregateRepository,
  MessageContext,
  SnapshotStore,
  UnknownEventTypeError,
  getAggregateRepositoryToken,
  retryOnConcurrencyError,
  type AggregateRepository,
  type EventSourcingModuleOptions,
} from 'nestjs-event-sourcing';
import { setCommandId } from '../../lib/core/message-context.js';
import { Account, MoneyDeposited, MoneyWithdrawn } from '../support/account.domain.js';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js';

class Deposit {
  constructor(
    readonly accountId: string,
    readonly amount: number,
  ) {}
}

@CommandHandler(Deposit)
class DepositHandler implements ICommandHandler<Deposit> {
  constructor(
    @InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>,
  ) {}
  async execute(command: Deposit) {
    const account = await this.accounts.load(command.accountId);
    account.deposit(command.amount);
    await this.accounts.save(account);
  }
}

@Injectable()
@EventsHandler(MoneyDeposited, MoneyWithdrawn)
class BusSpy implements IEventHandler<MoneyDeposited | MoneyWithdrawn> {
  readonly seen: string[] = [];
  handle(event: MoneyDeposited | MoneyWithdrawn) {
    this.seen.push(`${event.constructor.name}:${event.accountId}:${event.amount}`);
  }
}

const upcastCents = {
  type: 'account.deposited',
  fromVersion: 1,
  upcast: (data: unknown) => {
    const { accountId, cents } = data as { accountId: string; cents: number };
    return { accountId, amount: cents / 100 };
  },
};

describe.each(['memory', 'sqlite', 'postgres', 'mariadb'] as const)(
  'aggregate repository on %s',
  (kind) => {
    let db: TestDatabase | undefined;
    let app: INestApplicationContext;
    let accounts: AggregateRepository<Account>;
    let store: EventStore;

    beforeAll(async () => {
      let options: EventSourcingModuleOptions = { type: 'memory' };
      if (kind !== 'memory') {
        db = await createTestDatabase(kind);
        options = { dataSource: db.dataSource, schema: db.schema };
      }
      const moduleRef = await Test.createTestingModule({
        imports: [
          CqrsModule.forRoot(),
          EventSourcingModule.forRoot({ ...options, upcasters: [upcastCents] }),
          EventSourcingModule.forFeature([Account]),
        ],
        providers: [DepositHandler, BusSpy],
      }).compile();
      app = await moduleRef.init();
      accounts = app.get(getAggregateRepositoryToken(Account));
      store = app.get(EventStore);
    });
    afterAll(async () => {
      await app?.close();
      expect(db?.dataSource.isInitialized ?? true).toBe(true); // a given DataSource stays open
      await db?.drop();
    });

    it('saves a new aggregate and loads it back with its state, id, version and dates', async () => {
      const id = randomUUID();
      const account = Account.open(id, 'ada');
      account.deposit(30);
      account.withdraw(10);
      await accounts.save(account);
      expect(account.version).toBe(3);
      expect(account.getUncommittedEvents()).toEqual([]);

      const loaded = await accounts.load(id);
      expect(loaded).toBeInstanceOf(Account);
      expect(loaded).toMatchObject({
        id,
        owner: 'ada',
        balance: 20,
        version: 3,
        persistedVersion: 3,
      });
      expect(loaded.openedAt).toEqual(new Date('2026-01-02T03:04:05.678Z'));
      const stored = await store.readStream(`account-${id}`);
      expect(stored.map((e) => e.type)).toEqual([
        'account.opened',
        'account.deposited',
        'account.withdrawn',
      ]);
      expect(stored[1].metadata).toMatchObject({ eventVersion: 2 });
    });

    it('load throws AggregateNotFoundError, find returns undefined, exists tells', async () => {
      const id = randomUUID();
      await expect(accounts.load(id)).rejects.toThrow(AggregateNotFoundError);
      await expect(accounts.load(id)).rejects.toThrow(/find\(\)/);
      expect(await accounts.find(id)).toBeUndefined();
      expect(await accounts.exists(id)).toBe(false);
      await accounts.save(Account.open(id, 'bo'));
      expect(await accounts.exists(id)).toBe(true);
    });

    it('creating an aggregate whose stream exists is a ConcurrencyError, not a merge', async () => {
      const id = randomUUID();
      await accounts.save(Account.open(id, 'first'));
      await expect(accounts.save(Account.open(id, 'second'))).rejects.toThrow(ConcurrencyError);
      expect((await accounts.load(id)).owner).toBe('first');
    });

    it('of two writers of one aggregate exactly one wins, 20 times over', async () => {
      for (let trial = 0; trial < 20; trial++) {
        const id = randomUUID();
        await accounts.save(Account.open(id, 'race'));
        const [a, b] = await Promise.all([accounts.load(id), accounts.load(id)]);
        a.deposit(1);
        b.deposit(2);
        const outcomes = await Promise.allSettled([accounts.save(a), accounts.save(b)]);
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        const lost = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
        expect(lost.reason).toBeInstanceOf(ConcurrencyError);
        expect((await accounts.load(id)).version).toBe(2);
      }
    });

    it('retryOnConcurrencyError lets 10 concurrent deposits all land', async () => {
      const id = randomUUID();
      await accounts.save(Account.open(id, 'busy'));
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          retryOnConcurrencyError(
            async () => {
              const account = await accounts.load(id);
              account.deposit(i + 1);
              await accounts.save(account);
            },
            { attempts: 50, backoffMs: 2 },
          ),
        ),
      );
      expect(await accounts.load(id)).toMatchObject({ balance: 55, version: 11 });
    });

    it('rejects a client-supplied expected version that is stale', async () => {
      const id = randomUUID();
      const account = Account.open(id, 'v');
      account.deposit(1);
      await accounts.save(account);
      await expect(accounts.load(id, { expectedVersion: 1 })).rejects.toMatchObject({
        name: 'ConcurrencyError',
        actualVersion: 2,
      });
      expect((await accounts.load(id, { expectedVersion: 2 })).balance).toBe(1);
    });

    it('publishes saved events on the EventBus, in order, after the append', async () => {
      const spy = app.get(BusSpy);
      const id = randomUUID();
      const account = Account.open(id, 'bus');
      account.deposit(5);
      account.withdraw(2);
      await accounts.save(account);
      await new Promise((resolve) => setImmediate(resolve));
      expect(spy.seen.filter((s) => s.includes(id))).toEqual([
        `MoneyDeposited:${id}:5`,
        `MoneyWithdrawn:${id}:2`,
      ]);
    });

    it('stamps correlation and causation from the command that caused the events', async () => {
      const id = randomUUID();
      await accounts.save(Account.open(id, 'meta'));
      const command = new Deposit(id, 7);
      setCommandId(command, 'cmd-42');
      await MessageContext.run({ correlationId: 'corr-7', metadata: { userId: 'u1' } }, () =>
        app.get(CommandBus).execute(command),
      );
      const [, deposited] = await store.readStream(`account-${id}`);
      expect(deposited.metadata).toMatchObject({
        correlationId: 'corr-7',
        causationId: 'cmd-42',
        userId: 'u1',
      });
    });

    it('upcasts a stored version-1 event when loading', async () => {
      const id = randomUUID();
      await accounts.save(Account.open(id, 'old'));
      await store.appendToStream(`account-${id}`, [
        {
          type: 'account.deposited',
          data: { accountId: id, cents: 1250 },
          metadata: { eventVersion: 1 },
        },
        { type: 'account.deposited', data: { accountId: id, cents: 50 } },
      ]);
      expect((await accounts.load(id)).balance).toBe(13);
    });

    it('names the type and the stream when a stored event has no class', async () => {
      const id = randomUUID();
      await accounts.save(Account.open(id, 'x'));
      await store.appendToStream(`account-${id}`, [{ type: 'account.frozen', data: {} }]);
      const error = await accounts.load(id).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownEventTypeError);
      expect((error as Error).message).toContain('account.frozen');
      expect((error as Error).message).toContain(`account-${id}`);
    });

    describe('snapshots', () => {
      it('takes one every 10 events and loads from it plus the tail', async () => {
        const snapshots = app.get(SnapshotStore);
        const id = randomUUID();
        const account = Account.open(id, 'snap');
        for (let i = 0; i < 14; i++) account.deposit(1);
        await accounts.save(account); // version 15
        for (let i = 0; i < 7; i++) {
          const loaded = await accounts.load(id);
          loaded.deposit(10);
          await accounts.save(loaded);
        } // version 22
        const snapshot = await snapshots.load(`account-${id}`);
        expect(snapshot).toMatchObject({ version: 20, revision: 1, state: { balance: 64 } });
        expect((await accounts.load(id)).balance).toBe(84);

        // Loading really starts from the snapshot: a doctored one shows through.
        await snapshots.save({
          ...snapshot!,
          version: 21,
          state: { ...(snapshot!.state as object), balance: 1000 },
        });
        expect(await accounts.load(id)).toMatchObject({ balance: 1010, version: 22 });
      });

      it('ignores a snapshot of another revision or one that fails to restore', async () => {
        const snapshots = app.get(SnapshotStore);
        const id = randomUUID();
        const account = Account.open(id, 'bad');
        for (let i = 0; i < 11; i++) account.deposit(1);
        await accounts.save(account);
        await snapshots.save({
          streamId: `account-${id}`,
          version: 12,
          revision: 99,
          state: { balance: 500 },
        });
        expect((await accounts.load(id)).balance).toBe(11);
        await snapshots.save({
          streamId: `account-${id}`,
          version: 12,
          revision: 1,
          state: [1, 2],
        });
        expect(await accounts.load(id)).toMatchObject({ balance: 11, version: 12 });
      });
    });
  },
);
