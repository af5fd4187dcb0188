import assert from 'node:assert/strict';
import { SubscriptionFencedError } from '../../core/errors/subscription-fenced.error.js';
import { inTransaction, sleep, uniqueName } from './contract-case.js';
import { assertLease, SHORT_TTL, TTL, type Body } from './subscription-contract.helpers.js';

/** Fenced checkpoint writes and batch claims (part of `subscriptionLeaseCases`). */
export const FENCE_CASES: Body[] = [
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
