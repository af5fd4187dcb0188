import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CqrsModule, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AggregateSaveInProgressError,
  EventSourcingModule,
  EventRegistry,
  EventStore,
  InlineProjectionStateError,
  Projection,
  ProjectionHandler,
  getAggregateRepositoryToken,
  runInTransaction,
  type AggregateRepository,
  type EventSourcingModuleOptions,
  type ProjectionContext,
} from 'nestjs-event-sourcing';
import { Account, MoneyDeposited, MoneyWithdrawn } from '../support/account.domain.js';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js';

/** Deposits of this amount are refused by the read model. */
const REFUSED = 666;
/** Withdrawals of this amount make the projection ask for projection state. */
const STATEFUL = 7;

/**
 * An inline projection whose effect is visible on every store, the in-memory one included: an
 * audit event emitted in the append's transaction.
 */
@Injectable()
@Projection('audit_trail', { mode: 'inline' })
class AuditTrail {
  @ProjectionHandler(MoneyDeposited)
  async deposited(event: MoneyDeposited, ctx: ProjectionContext) {
    await ctx.emit(`audit-${event.accountId}`, [{ type: 'audit.deposit', data: event }]);
    if (event.amount === REFUSED) throw new Error('the audit trail refuses this deposit');
  }

  @ProjectionHandler(MoneyWithdrawn)
  withdrawn(event: MoneyWithdrawn, ctx: ProjectionContext) {
    if (event.amount === STATEFUL) ctx.setState({ last: event.amount });
  }
}

@Injectable()
@EventsHandler(MoneyDeposited)
class DepositSpy implements IEventHandler<MoneyDeposited> {
  readonly seen: string[] = [];
  handle(event: MoneyDeposited) {
    this.seen.push(`${event.accountId}:${event.amount}`);
  }
}

describe.each(['memory', 'sqlite', 'postgres', 'mariadb'] as const)('saving on %s', (kind) => {
  let db: TestDatabase | undefined;
  let app: INestApplicationContext;
  let store: EventStore;
  let accounts: AggregateRepository<Account>;
  let spy: DepositSpy;

  beforeAll(async () => {
    let options: EventSourcingModuleOptions = { type: 'memory' };
    if (kind !== 'memory') {
      db = await createTestDatabase(kind);
      options = { dataSource: db.dataSource, schema: db.schema };
    }
    const moduleRef = await Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        EventSourcingModule.forRoot({ ...options, workers: false }),
        EventSourcingModule.forFeature([Account]),
      ],
      providers: [AuditTrail, DepositSpy],
    }).compile();
    app = await moduleRef.init();
    store = app.get(EventStore);
    accounts = app.get(getAggregateRepositoryToken(Account));
    spy = app.get(DepositSpy);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });
  beforeEach(() => {
    spy.seen.length = 0;
  });

  async function opened(): Promise<Account> {
    const account = Account.open(randomUUID(), 'ada');
    await accounts.save(account);
    return account;
  }

  it('an inline projection that throws fails the save, and neither the event nor its effects stay', async () => {
    const account = await opened();
    account.deposit(REFUSED);
    await expect(accounts.save(account)).rejects.toThrow('the audit trail refuses this deposit');
    expect(await store.streamVersion(`account-${account.id}`)).toBe(1);
    expect(await store.streamVersion(`audit-${account.id}`)).toBe(0);
    expect(spy.seen).toEqual([]);
  });

  it('EventStore.appendToStream of an event an inline projection handles runs it', async () => {
    const id = randomUUID();
    const event = app.get(EventRegistry).serialize(new MoneyDeposited(id, 5));
    await store.appendToStream(`account-${id}`, [event]);
    expect((await store.readStream(`audit-${id}`)).map((e) => e.type)).toEqual(['audit.deposit']);
  });

  it('ctx.setState in an inline projection is a typed error, and nothing is saved', async () => {
    const account = await opened();
    account.deposit(10);
    await accounts.save(account);
    account.withdraw(STATEFUL);
    await expect(accounts.save(account)).rejects.toBeInstanceOf(InlineProjectionStateError);
    expect(await store.streamVersion(`account-${account.id}`)).toBe(2);
  });

  it('deleteStream takes the snapshot along: the aggregate is gone', async () => {
    const account = await opened();
    for (let i = 0; i < 12; i++) account.deposit(1); // snapshotEvery: 10
    await accounts.save(account);
    await store.deleteStream(`account-${account.id}`);
    expect(await accounts.find(account.id)).toBeUndefined();
  });

  it('50 overlapping saves of one instance: the first commits what it appended, the rest fail at once', async () => {
    const account = await opened();
    const saves: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      account.deposit(1);
      saves.push(accounts.save(account));
    }
    const results = await Promise.allSettled(saves);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.slice(1)) {
      expect(r.status === 'rejected' && r.reason).toBeInstanceOf(AggregateSaveInProgressError);
    }
    const stored = await store.streamVersion(`account-${account.id}`);
    expect(stored).toBe(2);
    expect(account.persistedVersion).toBe(stored);
    expect(account.getUncommittedEvents()).toHaveLength(49);
    await accounts.save(account);
    const reloaded = await accounts.load(account.id);
    expect(reloaded.balance).toBe(50);
    expect(reloaded.version).toBe(account.version);
  });

  if (kind === 'memory') return;

  it('a save in a caller transaction that rolls back publishes nothing and stores nothing', async () => {
    const account = Account.open(randomUUID(), 'ada');
    account.deposit(3);
    const failed = runInTransaction(db!.dataSource, async (manager) => {
      await accounts.save(account, { manager });
      throw new Error('the caller changes its mind');
    });
    await expect(failed).rejects.toThrow('the caller changes its mind');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(spy.seen).toEqual([]);
    expect(await store.streamExists(`account-${account.id}`)).toBe(false);
  });

  it('a save in a caller transaction publishes each event once, after the commit', async () => {
    const account = Account.open(randomUUID(), 'ada');
    account.deposit(3);
    account.deposit(4);
    await runInTransaction(db!.dataSource, async (manager) => {
      await accounts.save(account, { manager });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(spy.seen).toEqual([]); // not before the commit
    });
    expect(spy.seen).toEqual([`${account.id}:3`, `${account.id}:4`]);
    expect(await store.streamVersion(`account-${account.id}`)).toBe(3);
  });
});
