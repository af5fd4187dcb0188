import assert from 'node:assert/strict';
import type { SagaFailure, SagaFailureStore } from '../../core/saga-failure-store.js';
import { casesOf, type ContractCase, type StoreFactory, uniqueName } from './contract-case.js';

function failure(
  saga: string,
  eventId: string,
  position: number,
  extra: Partial<SagaFailure> = {},
) {
  return {
    saga,
    eventId,
    eventType: 'order.placed',
    streamId: `order-${eventId}`,
    version: 2,
    position,
    checkpoint: `cp-${position}`,
    error: `refused ${eventId}`,
    attempts: 3,
    // whole seconds: every database keeps them exactly
    failedAt: new Date(Date.UTC(2026, 0, 5, 10, 0, position % 60)),
    ...extra,
  } satisfies SagaFailure;
}

/**
 * The behaviour every `SagaFailureStore` shares (where sagas park the events they gave up on).
 *
 * ```ts
 * for (const c of sagaFailureStoreContract(() => store)) it(c.name, c.run);
 * ```
 */
// Long: one table of cases, one entry per behaviour of the port, read top to bottom like the spec.
export function sagaFailureStoreContract(factory: StoreFactory<SagaFailureStore>): ContractCase[] {
  return casesOf(factory, [
    [
      'park: the failure reads back field for field',
      async (store) => {
        const saga = uniqueName('saga');
        const parked = failure(saga, 'e1', 10);
        await store.park(parked);
        assert.deepEqual(await store.list(saga), [parked]);
      },
    ],
    [
      'park: a second failure of the same saga and event replaces the first',
      async (store) => {
        const saga = uniqueName('saga');
        await store.park(failure(saga, 'e1', 10));
        const again = failure(saga, 'e1', 10, { error: 'still refused', attempts: 6 });
        await store.park(again);
        assert.deepEqual(await store.list(saga), [again]);
      },
    ],
    [
      'list: one saga or all, oldest position first, then by saga',
      async (store) => {
        const [a, b] = [uniqueName('saga-a'), uniqueName('saga-b')];
        await store.park(failure(a, 'late', 30));
        await store.park(failure(b, 'same', 20));
        await store.park(failure(a, 'same', 20));
        await store.park(failure(a, 'early', 5));
        const key = (f: SagaFailure) => `${f.saga === a ? 'a' : 'b'}:${f.eventId}`;
        assert.deepEqual((await store.list(a)).map(key), ['a:early', 'a:same', 'a:late']);
        const ours = (await store.list()).filter((f) => f.saga === a || f.saga === b);
        const sagaOrder = a < b ? ['a:same', 'b:same'] : ['b:same', 'a:same'];
        assert.deepEqual(ours.map(key), ['a:early', ...sagaOrder, 'a:late']);
        assert.deepEqual(await store.list(uniqueName('none')), []);
      },
    ],
    [
      'remove: drops that one failure only; removing what is not there is no error',
      async (store) => {
        const [a, b] = [uniqueName('saga-a'), uniqueName('saga-b')];
        await store.park(failure(a, 'e1', 1));
        await store.park(failure(a, 'e2', 2));
        await store.park(failure(b, 'e1', 1));
        await store.remove(a, 'e1');
        await store.remove(a, 'never-parked');
        assert.deepEqual(
          (await store.list(a)).map((f) => f.eventId),
          ['e2'],
        );
        assert.deepEqual(
          (await store.list(b)).map((f) => f.eventId),
          ['e1'],
        );
      },
    ],
    [
      'list: returns copies (changing one does not change the store)',
      async (store) => {
        const saga = uniqueName('saga');
        await store.park(failure(saga, 'e1', 1));
        const [read] = await store.list(saga);
        read.error = 'changed by the caller';
        assert.equal((await store.list(saga))[0].error, 'refused e1');
      },
    ],
  ]);
}
