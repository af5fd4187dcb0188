import assert from 'node:assert/strict';
import type { ParkedPartition, ParkedPartitionStore } from '../../core/parked-partition-store.js';
import type { UnitOfWork } from '../../core/unit-of-work.js';
import { casesOf, type ContractCase, type StoreFactory, uniqueName } from './contract-case.js';

export interface ParkedPartitionStoreContractOptions {
  /**
   * A unit of work whose transaction the store joins when given its `manager` (a batch's): with
   * it, the contract checks that a rolled-back one leaves the parked rows as they were. Leave it
   * out for a store without transactions (the in-memory one).
   */
  unitOfWork?: UnitOfWork;
}

function parked(
  projection: string,
  key: string,
  position: number,
  extra: Partial<ParkedPartition> = {},
): ParkedPartition {
  return {
    projection,
    key,
    partition: 1,
    eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    eventType: 'order.placed',
    streamId: `order-${key}`,
    version: 3,
    position,
    checkpoint: `cp-${position}`,
    error: `refused ${key}`,
    attempts: 5,
    // whole seconds: every database keeps them exactly
    parkedAt: new Date(Date.UTC(2026, 0, 5, 10, 0, position % 60)),
    ...extra,
  };
}

/**
 * The behaviour every `ParkedPartitionStore` shares (where partitioned projections park the keys
 * they gave up on).
 *
 * ```ts
 * for (const c of parkedPartitionStoreContract(() => store)) it(c.name, c.run);
 * ```
 */
export function parkedPartitionStoreContract(
  factory: StoreFactory<ParkedPartitionStore>,
  options: ParkedPartitionStoreContractOptions = {},
): ContractCase[] {
  const unitOfWork = options.unitOfWork;
  return casesOf(factory, [...CASES, ...(unitOfWork ? [rollbackCase(unitOfWork)] : [])]);
}

type Case = readonly [string, (store: ParkedPartitionStore) => Promise<void>];

const CASES: Case[] = [
  [
    'park: the parked key reads back field for field (list and find)',
    async (store) => {
      const projection = uniqueName('projection');
      const row = parked(projection, 'k1', 10);
      await store.park(row);
      assert.deepEqual(await store.list(projection), [row]);
      assert.deepEqual(await store.find(projection, 'k1'), row);
      assert.equal(await store.find(projection, 'other'), undefined);
    },
  ],
  [
    'park: parking a key again replaces its row and clears a retry request',
    async (store) => {
      const projection = uniqueName('projection');
      await store.park(parked(projection, 'k1', 10));
      assert.equal(await store.requestRetry(projection, 'k1'), true);
      const again = parked(projection, 'k1', 12, { error: 'still refused', attempts: 7 });
      await store.park(again);
      assert.deepEqual(await store.list(projection), [again]);
    },
  ],
  [
    'list and keys: one projection (and bucket) or all, oldest position first',
    async (store) => {
      const [a, b] = [uniqueName('projection-a'), uniqueName('projection-b')];
      await store.park(parked(a, 'late', 30, { partition: 2 }));
      await store.park(parked(a, 'early', 5));
      await store.park(parked(b, 'other', 20));
      assert.deepEqual(
        (await store.list(a)).map((r) => r.key),
        ['early', 'late'],
      );
      assert.deepEqual(
        (await store.list(a, 2)).map((r) => r.key),
        ['late'],
      );
      assert.deepEqual(await store.keys(a, 1), ['early']);
      assert.deepEqual(await store.keys(a, 3), []);
      const ours = (await store.list()).filter((r) => r.projection === a || r.projection === b);
      assert.deepEqual(
        ours.map((r) => r.key),
        ['early', 'other', 'late'],
      );
    },
  ],
  [
    'requestRetry: marks the row with a time; false for a key that is not parked',
    async (store) => {
      const projection = uniqueName('projection');
      await store.park(parked(projection, 'k1', 1));
      const before = Date.now();
      assert.equal(await store.requestRetry(projection, 'k1'), true);
      const requested = (await store.find(projection, 'k1'))?.retryRequestedAt;
      assert.ok(requested instanceof Date, 'retryRequestedAt is a Date');
      assert.ok(Math.abs(requested.getTime() - before) < 60_000, 'retryRequestedAt is now');
      assert.equal(await store.requestRetry(projection, 'never-parked'), false);
    },
  ],
  [
    'retryFailed: one more attempt, the new error, the request cleared',
    async (store) => {
      const projection = uniqueName('projection');
      await store.park(parked(projection, 'k1', 1));
      await store.requestRetry(projection, 'k1');
      await store.retryFailed(projection, 'k1', 'refused again');
      assert.deepEqual(await store.find(projection, 'k1'), {
        ...parked(projection, 'k1', 1),
        attempts: 6,
        error: 'refused again',
      });
      await store.retryFailed(projection, 'never-parked', 'no error either');
    },
  ],
  [
    'remove and clear: one key, one bucket or a whole projection; others stay',
    async (store) => {
      const [a, b] = [uniqueName('projection-a'), uniqueName('projection-b')];
      await store.park(parked(a, 'k1', 1));
      await store.park(parked(a, 'k2', 2));
      await store.park(parked(a, 'k3', 3, { partition: 0 }));
      await store.park(parked(b, 'k1', 1));
      await store.remove(a, 'k1');
      await store.remove(a, 'never-parked');
      assert.deepEqual(
        (await store.list(a)).map((r) => r.key),
        ['k2', 'k3'],
      );
      await store.clear(a, 0);
      assert.deepEqual(
        (await store.list(a)).map((r) => r.key),
        ['k2'],
      );
      await store.clear(a);
      assert.deepEqual(await store.list(a), []);
      assert.deepEqual(
        (await store.list(b)).map((r) => r.key),
        ['k1'],
      );
    },
  ],
  [
    'list: returns copies (changing one does not change the store)',
    async (store) => {
      const projection = uniqueName('projection');
      await store.park(parked(projection, 'k1', 1));
      const [read] = await store.list(projection);
      read.error = 'changed by the caller';
      assert.equal((await store.list(projection))[0].error, 'refused k1');
    },
  ],
];

function rollbackCase(unitOfWork: UnitOfWork): Case {
  return [
    'park and remove join the unit of work: a rolled-back one leaves the rows as they were',
    async (store) => {
      const projection = uniqueName('projection');
      await store.park(parked(projection, 'kept', 1));
      const failure = new Error('the batch failed');
      await assert.rejects(
        unitOfWork.run(async ({ manager }) => {
          await store.park(parked(projection, 'new', 2), { manager });
          await store.remove(projection, 'kept', { manager });
          assert.deepEqual(await store.keys(projection, 1, { manager }), ['new']);
          throw failure;
        }),
        failure,
      );
      assert.deepEqual(
        (await store.list(projection)).map((r) => r.key),
        ['kept'],
      );
    },
  ];
}
