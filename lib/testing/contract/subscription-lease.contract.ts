import assert from 'node:assert/strict';
import type { SubscriptionStore } from '../../core/subscription-store.js';
import {
  casesOf,
  type ContractCase,
  inTransaction,
  sleep,
  type StoreFactory,
  uniqueName,
} from './contract-case.js';
import { assertLease, SHORT_TTL, TTL, type Body } from './subscription-contract.helpers.js';
import { FENCE_CASES } from './subscription-fence.contract.js';

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
