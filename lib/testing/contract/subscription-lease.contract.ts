import assert from 'node:assert/strict';
import { SubscriptionFencedError } from '../../core/errors/subscription-fenced.error.js';
import type { SubscriptionStore } from '../../core/subscription-store.js';
import {
  casesOf,
  type ContractCase,
  inTransaction,
  sleep,
  type StoreFactory,
  uniqueName,
} from './contract-case.js';

type Body = readonly [string, (store: SubscriptionStore) => Promise<void>];

const TTL = 30_000;
/** Short enough to wait out, long enough for a slow database round trip. */
const SHORT_TTL = 300;

/** Asserts that the lease ends about `ttlMs` from now (the store may use the database's clock). */
async function assertLease(store: SubscriptionStore, name: string, owner: string, ttlMs: number) {
  const row = await store.load(name);
  assert.equal(row?.leaseOwner, owner);
  const left = (row.leaseExpiresAt?.getTime() ?? 0) - Date.now();
  assert.ok(
    left > ttlMs - 5_000 && left <= ttlMs + 5_000,
    `lease ends in ${left} ms, not ~${ttlMs}`,
  );
}

/** Leases, fencing and the unit of work of a `SubscriptionStore` (see `subscriptionStoreContract`). */
export function subscriptionLeaseCases(
  factory: StoreFactory<SubscriptionStore>,
  atomicUnitOfWork: boolean,
): ContractCase[] {
  return casesOf(factory, [...LEASE_CASES, ...FENCE_CASES, ...(atomicUnitOfWork ? ATOMIC : [])]);
}

const LEASE_CASES: Body[] = [
  [
    'tryAcquireLease: a free lease is taken; its holder may take it again; nobody else may',
    async (store) => {
      const name = uniqueName('lease');
      assert.equal(await store.tryAcquireLease(name, 'owner-a', TTL), true);
      await assertLease(store, name, 'owner-a', TTL);
      assert.equal(await store.tryAcquireLease(name, 'owner-a', TTL), true);
      assert.equal(await store.tryAcquireLease(name, 'owner-b', TTL), false);
      await assertLease(store, name, 'owner-a', TTL);
    },
  ],
  [
    'tryAcquireLease: of owners racing for a free lease, exactly one wins',
    async (store) => {
      const name = uniqueName('race');
      const owners = ['o1', 'o2', 'o3', 'o4', 'o5'];
      const won = await Promise.all(owners.map((o) => store.tryAcquireLease(name, o, TTL)));
      assert.equal(won.filter(Boolean).length, 1, `winners: ${JSON.stringify(won)}`);
      assert.equal((await store.load(name))?.leaseOwner, owners[won.indexOf(true)]);
    },
  ],
  [
    'tryAcquireLease: an expired lease goes to the next owner',
    async (store) => {
      const name = uniqueName('expired');
      assert.equal(await store.tryAcquireLease(name, 'owner-a', SHORT_TTL), true);
      await sleep(SHORT_TTL + 500);
      assert.equal(await store.tryAcquireLease(name, 'owner-b', TTL), true);
      await assertLease(store, name, 'owner-b', TTL);
      assert.equal(await store.renewLease(name, 'owner-a', TTL), false, 'the old holder lost it');
    },
  ],
  [
    'renewLease: extends a lease its owner holds; false for anybody else',
    async (store) => {
      const name = uniqueName('renew');
      assert.equal(await store.renewLease(name, 'owner-a', TTL), false, 'nobody holds it yet');
      assert.equal(await store.tryAcquireLease(name, 'owner-a', SHORT_TTL), true);
      assert.equal(await store.renewLease(name, 'owner-b', TTL), false);
      assert.equal(await store.renewLease(name, 'owner-a', TTL), true);
      await assertLease(store, name, 'owner-a', TTL);
    },
  ],
  [
    'releaseLease: frees the lease at once for its holder only',
    async (store) => {
      const name = uniqueName('release');
      assert.equal(await store.tryAcquireLease(name, 'owner-a', TTL), true);
      await store.releaseLease(name, 'owner-b');
      assert.equal((await store.load(name))?.leaseOwner, 'owner-a', 'a non-holder cannot release');
      await store.releaseLease(name, 'owner-a');
      const row = await store.load(name);
      assert.ok(row);
      assert.equal(row.leaseOwner, undefined);
      assert.equal(row.leaseExpiresAt, undefined);
      assert.equal(await store.renewLease(name, 'owner-a', TTL), false);
      assert.equal(await store.tryAcquireLease(name, 'owner-b', TTL), true);
    },
  ],
];

const FENCE_CASES: Body[] = [
  [
    'saveCheckpoint with a fence: writes for the holder at the checkpoint it read from',
    async (store) => {
      const name = uniqueName('fence');
      assert.equal(await store.tryAcquireLease(name, 'owner-a', TTL), true);
      const fence = { owner: 'owner-a', checkpoint: undefined };
      await store.saveCheckpoint(name, '3', { fence });
      await store.saveCheckpoint(name, '6', { fence: { owner: 'owner-a', checkpoint: '3' } });
      assert.equal((await store.load(name))?.checkpoint, '6');
    },
  ],
  [
    'saveCheckpoint with a fence: refused, writing nothing, for another owner or a moved checkpoint',
    async (store) => {
      const name = uniqueName('fenced');
      assert.equal(await store.tryAcquireLease(name, 'owner-a', TTL), true);
      await store.saveCheckpoint(name, '3');
      const other = { owner: 'owner-b', checkpoint: '3' };
      await assert.rejects(
        store.saveCheckpoint(name, '9', { fence: other }),
        SubscriptionFencedError,
      );
      const stale = { owner: 'owner-a', checkpoint: '1' };
      await assert.rejects(
        store.saveCheckpoint(name, '9', { fence: stale, state: { x: 1 } }),
        SubscriptionFencedError,
      );
      const row = await store.load(name);
      assert.equal(row?.checkpoint, '3');
      assert.equal(row.projectionState, undefined);
    },
  ],
  [
    'saveCheckpoint with a fence: refused for a subscription that has no row, creating none',
    async (store) => {
      const name = uniqueName('fenced-new');
      const fence = { owner: 'owner-a', checkpoint: undefined };
      await assert.rejects(store.saveCheckpoint(name, '1', { fence }), SubscriptionFencedError);
      assert.equal(await store.load(name), undefined);
    },
  ],
  [
    'saveCheckpoint with a fence: refused after a reset moved the checkpoint back',
    async (store) => {
      const name = uniqueName('fence-reset');
      assert.equal(await store.tryAcquireLease(name, 'owner-a', TTL), true);
      await store.saveCheckpoint(name, '5');
      await store.reset(name);
      const fence = { owner: 'owner-a', checkpoint: '5' };
      await assert.rejects(store.saveCheckpoint(name, '8', { fence }), SubscriptionFencedError);
      assert.equal((await store.load(name))?.checkpoint, undefined);
    },
  ],
  [
    "saveCheckpoint with a fence and leaseTtlMs: the same write extends the holder's lease",
    async (store) => {
      const name = uniqueName('fence-renew');
      assert.equal(await store.tryAcquireLease(name, 'owner-a', SHORT_TTL), true);
      const fence = { owner: 'owner-a', checkpoint: undefined };
      await store.saveCheckpoint(name, '3', { fence, leaseTtlMs: TTL });
      await assertLease(store, name, 'owner-a', TTL);
      await store.unitOfWork().run(async (ctx) => {
        const next = { owner: 'owner-a', checkpoint: '3' };
        await store.saveCheckpoint(name, '5', {
          ...inTransaction(ctx),
          fence: next,
          leaseTtlMs: TTL,
        });
      });
      await sleep(SHORT_TTL + 500);
      assert.equal(
        await store.tryAcquireLease(name, 'owner-b', TTL),
        false,
        'the lease was renewed',
      );
      assert.equal((await store.load(name))?.checkpoint, '5');
    },
  ],
  [
    "saveCheckpoint with a fence and leaseTtlMs: a refused save extends nobody's lease",
    async (store) => {
      const name = uniqueName('fence-renew-no');
      assert.equal(await store.tryAcquireLease(name, 'owner-a', SHORT_TTL), true);
      await store.saveCheckpoint(name, '3');
      const before = (await store.load(name))?.leaseExpiresAt?.getTime();
      for (const fence of [
        { owner: 'owner-b', checkpoint: '3' },
        { owner: 'owner-a', checkpoint: '1' },
      ]) {
        await assert.rejects(
          store.saveCheckpoint(name, '9', { fence, leaseTtlMs: TTL }),
          SubscriptionFencedError,
        );
      }
      const row = await store.load(name);
      assert.equal(row?.leaseOwner, 'owner-a');
      assert.equal(row.leaseExpiresAt?.getTime(), before, 'the lease was not extended');
      // Once another owner took the expired lease, the fenced-out owner's save renews nothing.
      await sleep(SHORT_TTL + 500);
      assert.equal(await store.tryAcquireLease(name, 'owner-b', SHORT_TTL), true);
      const taken = (await store.load(name))?.leaseExpiresAt?.getTime();
      await assert.rejects(
        store.saveCheckpoint(name, '9', {
          fence: { owner: 'owner-a', checkpoint: '3' },
          leaseTtlMs: TTL,
        }),
        SubscriptionFencedError,
      );
      const after = await store.load(name);
      assert.equal(after?.leaseOwner, 'owner-b');
      assert.equal(after.leaseExpiresAt?.getTime(), taken);
      assert.equal(after.checkpoint, '3');
    },
  ],
  [
    'claimBatch: true for the holder of a live lease at its checkpoint, and extends the lease',
    async (store) => {
      const name = uniqueName('claim');
      assert.equal(await store.tryAcquireLease(name, 'owner-a', SHORT_TTL), true);
      await store.saveCheckpoint(name, '2');
      const claimed = await store
        .unitOfWork()
        .run((ctx) =>
          store.claimBatch(
            name,
            { owner: 'owner-a', checkpoint: '2', ttlMs: TTL },
            inTransaction(ctx),
          ),
        );
      assert.equal(claimed, true);
      await assertLease(store, name, 'owner-a', TTL);
    },
  ],
  [
    'claimBatch: false for another owner, a moved checkpoint, an expired lease or no row',
    async (store) => {
      const name = uniqueName('claim-no');
      const claim = (owner: string, checkpoint: string | undefined) =>
        store
          .unitOfWork()
          .run((ctx) =>
            store.claimBatch(name, { owner, checkpoint, ttlMs: TTL }, inTransaction(ctx)),
          );
      assert.equal(await claim('owner-a', undefined), false, 'no row');
      assert.equal(await store.tryAcquireLease(name, 'owner-a', SHORT_TTL), true);
      await store.saveCheckpoint(name, '2');
      assert.equal(await claim('owner-b', '2'), false, 'another owner');
      assert.equal(await claim('owner-a', '1'), false, 'a moved checkpoint');
      await sleep(SHORT_TTL + 500);
      assert.equal(await claim('owner-a', '2'), false, 'an expired lease');
    },
  ],
  [
    'unitOfWork: a batch claims, saves its checkpoint under the fence, and returns its result',
    async (store) => {
      const name = uniqueName('batch');
      assert.equal(await store.tryAcquireLease(name, 'owner-a', TTL), true);
      const fence = { owner: 'owner-a', checkpoint: undefined };
      const result = await store.unitOfWork().run(async (ctx) => {
        assert.equal(
          await store.claimBatch(name, { ...fence, ttlMs: TTL }, inTransaction(ctx)),
          true,
        );
        await store.saveCheckpoint(name, '4', { ...inTransaction(ctx), fence, state: [1] });
        return 'done';
      });
      assert.equal(result, 'done');
      const row = await store.load(name);
      assert.equal(row?.checkpoint, '4');
      assert.deepEqual(row.projectionState, [1]);
    },
  ],
];

/** Only for a store whose unit of work is a transaction. */
const ATOMIC: Body[] = [
  [
    'unitOfWork: a batch that fails leaves the checkpoint and state as they were',
    async (store) => {
      const name = uniqueName('rollback');
      await store.saveCheckpoint(name, '1', { state: { n: 1 } });
      const failure = new Error('handler failed');
      await assert.rejects(
        store.unitOfWork().run(async (ctx) => {
          await store.saveCheckpoint(name, '2', { ...inTransaction(ctx), state: { n: 2 } });
          throw failure;
        }),
        (error) => error === failure,
      );
      const row = await store.load(name);
      assert.equal(row?.checkpoint, '1');
      assert.deepEqual(row.projectionState, { n: 1 });
    },
  ],
];
