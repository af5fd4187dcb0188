import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InMemorySnapshotStore,
  type EventStore,
  type NewEvent,
  type SnapshotStore,
} from 'nestjs-event-sourcing';

export interface HistoryStoreUnderTest {
  store: EventStore;
  /** The snapshot store kept beside the events (the TypeORM store's own table, or in memory). */
  snapshots: SnapshotStore;
  teardown(): Promise<void>;
}

const deposit = (n: number): NewEvent => ({
  type: 'acct.deposited',
  data: { amount: n, at: '2024-05-01T12:00:00.000Z', note: `d${n}` },
  metadata: { eventVersion: 2, correlationId: `c${n}` },
});

/**
 * What `AggregateRepository.load` reads through: the latest snapshot and the events after it,
 * with version, type, data and metadata, the same from every store.
 */
export function describeReadHistoryContract(
  name: string,
  create: () => Promise<HistoryStoreUnderTest>,
) {
  describe(`EventStore.readHistory: ${name}`, () => {
    let subject: HistoryStoreUnderTest;
    beforeAll(async () => {
      subject = await create();
    });
    afterAll(async () => {
      await subject?.teardown();
    });

    const streamWith = async (count: number) => {
      const streamId = `acct-${randomUUID()}`;
      await subject.store.appendToStream(
        streamId,
        Array.from({ length: count }, (_, i) => deposit(i + 1)),
      );
      return streamId;
    };

    it('without snapshots: every event, in order, with version, type, data and metadata', async () => {
      const streamId = await streamWith(3);
      const history = await subject.store.readHistory(streamId);
      expect(history.snapshot).toBeUndefined();
      expect(history.events).toEqual(
        [1, 2, 3].map((v) => ({
          streamId,
          version: v,
          type: 'acct.deposited',
          data: deposit(v).data,
          metadata: expect.objectContaining(deposit(v).metadata) as unknown,
        })),
      );
      expect(await subject.store.readHistory(`acct-${randomUUID()}`)).toEqual({
        snapshot: undefined,
        events: [],
      });
    });

    it('with a snapshot of the wanted revision: the snapshot and only the events after it', async () => {
      const streamId = await streamWith(5);
      const state = { balance: 3, tags: ['a'], at: '2024-05-01T12:00:00.000Z' };
      await subject.snapshots.save({ streamId, version: 2, revision: 4, state });
      const { snapshot, events } = await subject.store.readHistory(streamId, {
        snapshots: subject.snapshots,
        snapshotRevision: 4,
      });
      expect(snapshot).toEqual({ streamId, version: 2, revision: 4, state });
      expect(events.map((e) => e.version)).toEqual([3, 4, 5]);
      expect(events[0].data).toEqual(deposit(3).data);
    });

    it('with a snapshot of another revision: the snapshot (to say why it is ignored) and every event', async () => {
      const streamId = await streamWith(4);
      await subject.snapshots.save({ streamId, version: 3, revision: 1, state: { old: true } });
      const { snapshot, events } = await subject.store.readHistory(streamId, {
        snapshots: subject.snapshots,
        snapshotRevision: 2,
      });
      expect(snapshot).toMatchObject({ version: 3, revision: 1, state: { old: true } });
      expect(events.map((e) => e.version)).toEqual([1, 2, 3, 4]);
    });

    it('with no snapshot stored: every event', async () => {
      const streamId = await streamWith(2);
      const history = await subject.store.readHistory(streamId, {
        snapshots: subject.snapshots,
        snapshotRevision: 1,
      });
      expect(history.snapshot).toBeUndefined();
      expect(history.events.map((e) => e.version)).toEqual([1, 2]);
    });

    it('reads the snapshot from whichever snapshot store it is given', async () => {
      const streamId = await streamWith(3);
      const elsewhere = new InMemorySnapshotStore();
      await elsewhere.save({ streamId, version: 1, revision: 1, state: { here: 1 } });
      const history = await subject.store.readHistory(streamId, {
        snapshots: elsewhere,
        snapshotRevision: 1,
      });
      expect(history.snapshot?.state).toEqual({ here: 1 });
      expect(history.events.map((e) => e.version)).toEqual([2, 3]);
    });
  });
}
