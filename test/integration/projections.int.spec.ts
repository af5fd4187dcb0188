import type { INestApplicationContext } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EventSourcingModule,
  EventStore,
  ProjectionManager,
  SubscriptionStore,
  getAggregateRepositoryToken,
  type AggregateRepository,
  type StoredEvent,
} from 'nestjs-event-sourcing';
import { Account } from '../support/account.domain.js';
import {
  BalancesProjection,
  DepositCountProjection,
  OwnersProjection,
} from '../support/balances.projection.js';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js';

describe.each(['sqlite', 'postgres', 'mariadb'] as const)('projections on %s', (kind) => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let accounts: AggregateRepository<Account>;
  let projections: ProjectionManager;
  let balances: BalancesProjection;
  let store: EventStore;
  const query = async <T>(sql: string) => db.dataSource.query<T[]>(sql);
  const balanceRows = () =>
    query<{ id: string; balance: number }>('SELECT id, balance FROM balances ORDER BY id').then(
      (rows) => rows.map((r) => ({ id: r.id, balance: Number(r.balance) })),
    );

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    // Events stored before the application (and its projections) ever started: a backfill.
    const before = await Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        EventSourcingModule.forRoot({
          dataSource: db.dataSource,
          schema: db.schema,
          workers: false,
        }),
        EventSourcingModule.forFeature([Account]),
      ],
    }).compile();
    const early = before.get<AggregateRepository<Account>>(getAggregateRepositoryToken(Account));
    for (let i = 0; i < 5; i++) {
      const account = Account.open(`early-${i}`, 'early');
      account.deposit(10 * (i + 1));
      await early.save(account);
    }
    await before.close();

    const moduleRef = await Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        EventSourcingModule.forRoot({ dataSource: db.dataSource, schema: db.schema }),
        EventSourcingModule.forFeature([Account]),
      ],
      providers: [BalancesProjection, DepositCountProjection, OwnersProjection],
    }).compile();
    app = await moduleRef.init();
    accounts = app.get(getAggregateRepositoryToken(Account));
    projections = app.get(ProjectionManager);
    balances = app.get(BalancesProjection);
    store = app.get(EventStore);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('backfills events stored before it existed, after running its init hook once', async () => {
    await projections.waitForCatchUp('balances', { timeoutMs: 20_000 });
    expect(balances.inits).toBe(1);
    const rows = await balanceRows();
    expect(rows.filter((r) => r.id.startsWith('early-'))).toEqual(
      [0, 1, 2, 3, 4].map((i) => ({ id: `early-${i}`, balance: 10 * (i + 1) })),
    );
  });

  it('applies every event exactly once while 16 writers append concurrently', async () => {
    const ids = Array.from({ length: 16 }, () => randomUUID());
    await Promise.all(
      ids.map(async (id) => {
        await accounts.save(Account.open(id, 'load'));
        for (let i = 0; i < 15; i++) {
          const account = await accounts.load(id);
          account.deposit(1);
          await accounts.save(account);
        }
      }),
    );
    await projections.waitForCatchUp(undefined, { timeoutMs: 30_000 });
    const stored: StoredEvent[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await store.readAll({ after, categories: ['account'] });
      stored.push(...page.events);
      after = page.checkpoint;
      if (page.isEnd) break;
    }
    const processed = await query<{ event_id: string }>('SELECT event_id FROM processed');
    expect(processed).toHaveLength(stored.length);
    expect(new Set(processed.map((r) => r.event_id))).toEqual(
      new Set(stored.map((e) => e.eventId)),
    );
    const rows = await balanceRows();
    for (const id of ids) expect(rows).toContainEqual({ id, balance: 15 });
    // The projection's own emissions land after its last batch; an idle read then moves past them.
    const deadline = Date.now() + 5_000;
    let status = (await projections.status()).find((s) => s.name === 'balances')!;
    while (status.lag > 0 && Date.now() < deadline) {
      await sleep(20);
      status = (await projections.status()).find((s) => s.name === 'balances')!;
    }
    expect(status).toMatchObject({ state: 'running', lag: 0, isLeaseOwner: true });
  });

  it('keeps its own JSON state with the checkpoint', async () => {
    await projections.waitForCatchUp('balances');
    const record = await app.get(SubscriptionStore).load('balances');
    const deposits = (await query<{ n: number }>('SELECT COUNT(*) AS n FROM processed p'))[0];
    expect(record?.projectionState).toMatchObject({ deposits: expect.any(Number) as number });
    expect((record!.projectionState as { deposits: number }).deposits).toBeLessThan(
      Number(deposits.n),
    );
    expect((record!.projectionState as { deposits: number }).deposits).toBeGreaterThanOrEqual(
      16 * 15,
    );
  });

  it('runs inline projections inside the append: current on return, and a throw fails the save', async () => {
    const id = randomUUID();
    await accounts.save(Account.open(id, 'grace'));
    expect(await query(`SELECT owner FROM owners WHERE id = '${id}'`)).toEqual([
      { owner: 'grace' },
    ]);

    const refused = randomUUID();
    await expect(accounts.save(Account.open(refused, 'refused'))).rejects.toThrow(
      /refuses this owner/,
    );
    expect(await accounts.exists(refused)).toBe(false);
    expect(await query(`SELECT owner FROM owners WHERE id = '${refused}'`)).toEqual([]);
    expect((await projections.status()).find((s) => s.name === 'owners')?.state).toBe('inline');
  });

  it('marks a projection failed after its retries while the others keep going, and resumes on start', async () => {
    const id = randomUUID();
    const account = Account.open(id, 'fail');
    account.deposit(13);
    balances.failOn = 13;
    balances.attempts = 0;
    await accounts.save(account);
    await expect(projections.waitForCatchUp('balances', { timeoutMs: 10_000 })).rejects.toThrow();
    const failed = (await projections.status()).find((s) => s.name === 'balances')!;
    expect(failed.state).toBe('failed');
    expect(failed.lastError).toMatch(/refusing deposit of 13/);
    expect(failed.failedAt).toBeInstanceOf(Date);
    expect(failed.failedPosition).toBeGreaterThan(0);
    expect(balances.attempts).toBe(2);

    const counter = app.get(DepositCountProjection);
    const counted = counter.count;
    const other = Account.open(randomUUID(), 'other');
    other.deposit(1);
    await accounts.save(other);
    await projections.waitForCatchUp('deposit_count', { timeoutMs: 10_000 });
    expect(counter.count).toBe(counted + 1);

    balances.failOn = undefined;
    await projections.start('balances');
    await projections.waitForCatchUp('balances', { timeoutMs: 10_000 });
    expect(await balanceRows()).toContainEqual({ id, balance: 13 });
  });

  it('resumes a failed worker when the failure is cleared from another process (the CLI)', async () => {
    const id = randomUUID();
    const account = Account.open(id, 'elsewhere');
    account.deposit(14);
    balances.failOn = 14;
    await accounts.save(account);
    await expect(projections.waitForCatchUp('balances', { timeoutMs: 10_000 })).rejects.toThrow();
    balances.failOn = undefined;
    // What `projections start` does in another process: it clears the stored failure.
    await app.get(SubscriptionStore).markState('balances', 'running');
    const deadline = Date.now() + 10_000;
    while (!(await balanceRows()).some((r) => r.id === id && r.balance === 14)) {
      expect(Date.now()).toBeLessThan(deadline);
      await sleep(20);
    }
    expect((await projections.status()).find((s) => s.name === 'balances')?.state).not.toBe(
      'failed',
    );
  });

  it('rebuilds an identical read model, without emitting again', async () => {
    await projections.waitForCatchUp('balances');
    const before = await balanceRows();
    // Counted in SQL: on PostgreSQL readAll may not show the newest events yet (open transactions).
    const emitted = async () =>
      Number(
        (
          await query<{ n: number | string }>(
            "SELECT COUNT(*) AS n FROM es_events WHERE category = 'audit'",
          )
        )[0].n,
      );
    const emittedBefore = await emitted();
    expect(emittedBefore).toBeGreaterThan(0);
    const progress: number[] = [];
    await projections.rebuild('balances', { onProgress: (done) => progress.push(done) });
    expect(await balanceRows()).toEqual(before);
    expect(await emitted()).toBe(emittedBefore);
    expect(progress.at(-1)).toBeGreaterThan(0);

    // After the rebuild, new events emit again.
    const account = Account.open(randomUUID(), 'after');
    account.deposit(2);
    await accounts.save(account);
    await projections.waitForCatchUp('balances');
    expect(await emitted()).toBe(emittedBefore + 1);
  });

  it('deletes a projection: its delete hook drops the read model', async () => {
    await projections.delete('balances');
    await expect(query('SELECT * FROM balances')).rejects.toThrow();
    expect((await app.get(SubscriptionStore).load('balances'))?.checkpoint).toBeUndefined();
  });
});
