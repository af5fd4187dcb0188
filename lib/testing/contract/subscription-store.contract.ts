import assert from 'node:assert/strict';
import type { SubscriptionStore } from '../../core/subscription-store.js';
import { casesOf, type ContractCase, type StoreFactory, uniqueName } from './contract-case.js';
import { subscriptionLeaseCases } from './subscription-lease.contract.js';

export interface SubscriptionStoreContractOptions {
  /**
   * The store's `unitOfWork()` is a transaction: what a failed batch wrote through it rolls back.
   * False for the in-memory store, whose unit of work runs the batch as it is.
   * @default true
   */
  atomicUnitOfWork?: boolean;
}

/**
 * The behaviour every `SubscriptionStore` shares: checkpoints, projection state, run state and
 * failures, leases, fencing and the unit of work. Run it against your own store:
 *
 * ```ts
 * for (const c of subscriptionStoreContract(() => store)) it(c.name, c.run);
 * ```
 */
export function subscriptionStoreContract(
  factory: StoreFactory<SubscriptionStore>,
  options: SubscriptionStoreContractOptions = {},
): ContractCase[] {
  return [
    ...casesOf(factory, CHECKPOINT_CASES),
    ...subscriptionLeaseCases(factory, options.atomicUnitOfWork ?? true),
  ];
}

const CHECKPOINT_CASES: ReadonlyArray<readonly [string, (s: SubscriptionStore) => Promise<void>]> =
  [
    [
      'load: a subscription that never ran has no row',
      async (store) => {
        assert.equal(await store.load(uniqueName('never')), undefined);
      },
    ],
    [
      'saveCheckpoint: creates the row, stopped, with no lease and no failure',
      async (store) => {
        const name = uniqueName('create');
        await store.saveCheckpoint(name, '7');
        const row = await store.load(name);
        assert.ok(row, 'saveCheckpoint must create the row');
        assert.equal(row.name, name);
        assert.equal(row.checkpoint, '7');
        assert.equal(row.state, 'stopped');
        assert.equal(row.leaseOwner, undefined);
        assert.equal(row.leaseExpiresAt, undefined);
        assert.equal(row.lastError, undefined);
        assert.equal(row.projectionState, undefined);
        assert.ok(row.updatedAt instanceof Date && !Number.isNaN(row.updatedAt.getTime()));
      },
    ],
    [
      'saveCheckpoint: stores the projection state as JSON; undefined keeps it, null clears it',
      async (store) => {
        const name = uniqueName('state');
        const state = { total: 3, names: ['a', 'b'], nested: { ok: true } };
        await store.saveCheckpoint(name, '1', { state });
        assert.deepEqual((await store.load(name))?.projectionState, state);
        await store.saveCheckpoint(name, '2');
        const kept = await store.load(name);
        assert.equal(kept?.checkpoint, '2');
        assert.deepEqual(kept?.projectionState, state, 'a save without state keeps the state');
        await store.saveCheckpoint(name, '3', { state: null });
        assert.equal((await store.load(name))?.projectionState, undefined);
      },
    ],
    [
      'list: every stored subscription, ordered by name',
      async (store) => {
        const prefix = uniqueName('list');
        for (const suffix of ['c', 'a', 'b'])
          await store.saveCheckpoint(`${prefix}-${suffix}`, '1');
        const names = (await store.list()).map((r) => r.name).filter((n) => n.startsWith(prefix));
        assert.deepEqual(names, [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`]);
      },
    ],
    [
      'markFailed: records the error and where; stopped keeps it; running clears it',
      async (store) => {
        const name = uniqueName('failed');
        await store.saveCheckpoint(name, '4');
        const before = Date.now();
        await store.markFailed(name, 'boom at 5', { position: 5, checkpoint: '5' });
        const failed = await store.load(name);
        assert.equal(failed?.state, 'failed');
        assert.equal(failed.lastError, 'boom at 5');
        assert.equal(failed.failedPosition, 5);
        assert.equal(failed.failedCheckpoint, '5');
        assert.ok(failed.failedAt instanceof Date);
        assert.ok(Math.abs(failed.failedAt.getTime() - before) < 5_000, 'failedAt is now');
        assert.equal(failed.checkpoint, '4', 'a failure does not move the checkpoint');
        await store.markState(name, 'stopped');
        assert.equal((await store.load(name))?.lastError, 'boom at 5');
        await store.markState(name, 'running');
        const running = await store.load(name);
        assert.equal(running?.state, 'running');
        assert.equal(running.lastError, undefined);
        assert.equal(running.failedPosition, undefined);
        assert.equal(running.failedCheckpoint, undefined);
        assert.equal(running.failedAt, undefined);
      },
    ],
    [
      'markFailed and markState: create the row of a subscription that never ran',
      async (store) => {
        const failed = uniqueName('mark-failed');
        await store.markFailed(failed, 'no', { position: 1, checkpoint: '1' });
        assert.equal((await store.load(failed))?.state, 'failed');
        assert.equal((await store.load(failed))?.checkpoint, undefined);
        const running = uniqueName('mark-running');
        await store.markState(running, 'running');
        assert.equal((await store.load(running))?.state, 'running');
      },
    ],
    [
      'reset: checkpoint back to the start and state cleared; the lease stays',
      async (store) => {
        const name = uniqueName('reset');
        assert.equal(await store.tryAcquireLease(name, 'owner-a', 30_000), true);
        await store.saveCheckpoint(name, '9', { state: { n: 1 } });
        await store.reset(name);
        const row = await store.load(name);
        assert.ok(row);
        assert.equal(row.checkpoint, undefined);
        assert.equal(row.projectionState, undefined);
        assert.equal(row.leaseOwner, 'owner-a');
      },
    ],
  ];
