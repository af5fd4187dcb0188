import assert from 'node:assert/strict';
import type { ScheduledMessageStore } from '../../core/scheduled-message-store.js';
import { casesOf, type ContractCase, inTransaction, type StoreFactory } from './contract-case.js';
import { at, message } from './scheduled-message.fixture.js';

type Body = readonly [string, (store: ScheduledMessageStore) => Promise<void>];

/** Delivery: `due`, `observeHead`, `claim` and the marks (see `scheduledMessageStoreContract`). */
export function scheduledDeliveryCases(
  factory: StoreFactory<ScheduledMessageStore>,
): ContractCase[] {
  return casesOf(factory, DELIVERY_CASES);
}

const ids = (rows: { id: string }[]) => rows.map((m) => m.id);

const DELIVERY_CASES: Body[] = [
  [
    'due: the pending messages due at that time, soonest first, at most the limit',
    async (store) => {
      const [m3, m1, m2, later, gone] = [
        message(3),
        message(1),
        message(2),
        message(50),
        message(0, { key: 'k' }),
      ];
      for (const m of [m3, m1, m2, later, gone]) await store.schedule(m);
      await store.cancel('s', 'i', 'k');
      assert.deepEqual(ids(await store.due(at(10), 10)), [m1.id, m2.id, m3.id]);
      assert.deepEqual(ids(await store.due(at(10), 2)), [m1.id, m2.id]);
      assert.deepEqual(
        ids(await store.due(at(2), 10)),
        [m1.id, m2.id],
        'due at exactly now counts',
      );
      assert.deepEqual(await store.due(at(0), 10), []);
    },
  ],
  [
    'due: leaves out the sagas it is told to',
    async (store) => {
      const [s, t, u] = [message(1), message(2, { saga: 't' }), message(3, { saga: 'u' })];
      for (const m of [s, t, u]) await store.schedule(m);
      assert.deepEqual(ids(await store.due(at(10), 10, { exceptSagas: ['t', 'u'] })), [s.id]);
      assert.deepEqual(ids(await store.due(at(10), 10, { exceptSagas: [] })), [s.id, t.id, u.id]);
    },
  ],
  [
    'observeHead: due pending messages wait for the head; each keeps the first one it saw',
    async (store) => {
      const [due, notYet] = [message(1), message(30)];
      for (const m of [due, notYet]) await store.schedule(m);
      await store.observeHead(at(10), '100');
      await store.observeHead(at(40), '200');
      const waits = new Map((await store.list()).map((m) => [m.id, m.waitsFor]));
      assert.equal(waits.get(due.id), '100');
      assert.equal(waits.get(notYet.id), '200');
    },
  ],
  [
    'claim: true only for a pending message',
    async (store) => {
      const [pending, cancelled, delivered] = [message(1), message(2, { key: 'k' }), message(3)];
      for (const m of [pending, cancelled, delivered]) await store.schedule(m);
      await store.cancel('s', 'i', 'k');
      await store.markDelivered(delivered.id);
      const claim = (id: string) =>
        store.unitOfWork().run((ctx) => store.claim(id, inTransaction(ctx)));
      assert.equal(await claim(pending.id), true);
      assert.equal(await claim(cancelled.id), false);
      assert.equal(await claim(delivered.id), false);
      assert.equal(await claim('00000000-0000-4000-8000-000000000000'), false);
    },
  ],
  [
    'markDelivered: the message is delivered and no longer due; a cancelled one stays cancelled',
    async (store) => {
      const [m, cancelled] = [message(1), message(2, { key: 'k' })];
      for (const x of [m, cancelled]) await store.schedule(x);
      await store.cancel('s', 'i', 'k');
      await store.markDelivered(m.id);
      await store.markDelivered(cancelled.id);
      const status = new Map((await store.list()).map((x) => [x.id, x.status]));
      assert.deepEqual([status.get(m.id), status.get(cancelled.id)], ['delivered', 'cancelled']);
      assert.deepEqual(await store.due(at(10), 10), []);
    },
  ],
  [
    'markAttemptFailed: pending again at the retry time, or failed; attempts and error recorded',
    async (store) => {
      const m = message(1);
      await store.schedule(m);
      await store.markAttemptFailed(m.id, 'broker down', at(20));
      let [row] = await store.list();
      assert.deepEqual(
        [row.status, row.attempts, row.lastError, row.dueAt],
        ['pending', 1, 'broker down', at(20)],
      );
      assert.deepEqual(await store.due(at(10), 10), [], 'not due before the retry time');
      await store.markAttemptFailed(m.id, 'still down', undefined);
      [row] = await store.list();
      assert.deepEqual([row.status, row.attempts, row.lastError], ['failed', 2, 'still down']);
      assert.deepEqual(await store.due(at(59), 10), []);
    },
  ],
  [
    'reschedule: a failed message is pending again at the new time and observes the head anew',
    async (store) => {
      const m = message(1);
      await store.schedule(m);
      await store.observeHead(at(5), '100');
      await store.markAttemptFailed(m.id, 'gave up', undefined);
      await store.reschedule(m.id, at(30));
      const [row] = await store.list();
      assert.deepEqual([row.status, row.dueAt, row.waitsFor], ['pending', at(30), undefined]);
      assert.deepEqual(ids(await store.due(at(30), 10)), [m.id]);
      await store.observeHead(at(30), '300');
      assert.equal((await store.list())[0].waitsFor, '300');
    },
  ],
];
