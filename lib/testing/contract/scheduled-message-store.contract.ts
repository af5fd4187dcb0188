import assert from 'node:assert/strict';
import type { ScheduledMessageStore } from '../../core/scheduled-message-store.js';
import { casesOf, type ContractCase, inTransaction, type StoreFactory } from './contract-case.js';
import { scheduledDeliveryCases } from './scheduled-delivery.contract.js';
import { at, message } from './scheduled-message.fixture.js';

export interface ScheduledMessageStoreContractOptions {
  /**
   * The store's `unitOfWork()` is a transaction: schedule changes of a failed unit roll back.
   * False for the in-memory store. @default true
   */
  atomicUnitOfWork?: boolean;
}

type Body = readonly [string, (store: ScheduledMessageStore) => Promise<void>];

/**
 * The behaviour every `ScheduledMessageStore` shares. `due` and `observeHead` read across sagas,
 * so the factory must return an EMPTY store for each case (e.g. tables of their own).
 *
 * ```ts
 * for (const c of scheduledMessageStoreContract(() => new MyStore())) it(c.name, c.run);
 * ```
 */
export function scheduledMessageStoreContract(
  factory: StoreFactory<ScheduledMessageStore>,
  options: ScheduledMessageStoreContractOptions = {},
): ContractCase[] {
  const atomic = options.atomicUnitOfWork ?? true;
  return [
    ...casesOf(factory, [...SCHEDULE_CASES, ...(atomic ? ATOMIC : [])]),
    ...scheduledDeliveryCases(factory),
  ];
}

const SCHEDULE_CASES: Body[] = [
  [
    'schedule: a pending message reads back field for field',
    async (store) => {
      const m = message(1, { key: 'remind', kind: 'event' });
      const before = Date.now();
      await store.schedule(m);
      const [row] = await store.list();
      assert.deepEqual(
        { ...row, createdAt: undefined, updatedAt: undefined },
        {
          ...m,
          waitsFor: undefined,
          status: 'pending',
          attempts: 0,
          lastError: undefined,
          createdAt: undefined,
          updatedAt: undefined,
        },
      );
      assert.ok(Math.abs(row.createdAt.getTime() - before) < 5_000, 'createdAt is now');
      assert.ok(row.updatedAt instanceof Date);
    },
  ],
  [
    'schedule: an id already stored is left alone (a retried schedule)',
    async (store) => {
      const m = message(1);
      await store.schedule(m);
      await store.schedule({ ...m, payload: { other: true }, dueAt: at(9) });
      const rows = await store.list();
      assert.equal(rows.length, 1);
      assert.deepEqual(rows[0].payload, m.payload);
      assert.deepEqual(rows[0].dueAt, m.dueAt);
    },
  ],
  [
    'schedule: replaces the pending message of the same saga instance and key',
    async (store) => {
      const first = message(1, { key: 'k' });
      const otherKey = message(2, { key: 'other' });
      const otherInstance = message(3, { key: 'k', instance: 'j' });
      const noKey = message(4);
      for (const m of [first, otherKey, otherInstance, noKey]) await store.schedule(m);
      const second = message(5, { key: 'k' });
      await store.schedule(second);
      const status = new Map((await store.list()).map((m) => [m.id, m.status]));
      assert.equal(status.get(first.id), 'cancelled');
      for (const m of [otherKey, otherInstance, noKey, second])
        assert.equal(status.get(m.id), 'pending');
    },
  ],
  [
    'cancel: cancels the pending message under the key; false when there is none',
    async (store) => {
      const m = message(1, { key: 'k' });
      await store.schedule(m);
      assert.equal(await store.cancel('s', 'i', 'other'), false);
      assert.equal(await store.cancel('s', 'j', 'k'), false);
      assert.equal(await store.cancel('s', 'i', 'k'), true);
      assert.equal((await store.list())[0].status, 'cancelled');
      assert.equal(await store.cancel('s', 'i', 'k'), false, 'already cancelled');
    },
  ],
  [
    'list: filters by saga and status, soonest due first',
    async (store) => {
      const [a3, a1, b2] = [message(3), message(1), message(2, { saga: 't' })];
      for (const m of [a3, a1, b2]) await store.schedule(m);
      await store.markAttemptFailed(a1.id, 'gave up', undefined);
      const ids = async (filter?: Parameters<ScheduledMessageStore['list']>[0]) =>
        (await store.list(filter)).map((m) => m.id);
      assert.deepEqual(await ids(), [a1.id, b2.id, a3.id]);
      assert.deepEqual(await ids({ saga: 's' }), [a1.id, a3.id]);
      assert.deepEqual(await ids({ status: 'pending' }), [b2.id, a3.id]);
      assert.deepEqual(await ids({ saga: 's', status: 'failed' }), [a1.id]);
    },
  ],
  [
    'unitOfWork: schedule and cancel inside it commit with it',
    async (store) => {
      const old = message(1, { key: 'k' });
      await store.schedule(old);
      const added = message(2);
      const result = await store.unitOfWork().run(async (ctx) => {
        await store.schedule(added, inTransaction(ctx));
        return store.cancel('s', 'i', 'k', inTransaction(ctx));
      });
      assert.equal(result, true);
      const status = new Map((await store.list()).map((m) => [m.id, m.status]));
      assert.deepEqual([status.get(old.id), status.get(added.id)], ['cancelled', 'pending']);
    },
  ],
];

/** Only for a store whose unit of work is a transaction. */
const ATOMIC: Body[] = [
  [
    'unitOfWork: schedule changes of a unit that fails roll back',
    async (store) => {
      const old = message(1, { key: 'k' });
      await store.schedule(old);
      const failure = new Error('append failed');
      await assert.rejects(
        store.unitOfWork().run(async (ctx) => {
          await store.schedule(message(2, { key: 'k' }), inTransaction(ctx));
          throw failure;
        }),
        (error) => error === failure,
      );
      const rows = await store.list();
      assert.deepEqual(
        rows.map((m) => [m.id, m.status]),
        [[old.id, 'pending']],
      );
    },
  ],
];
