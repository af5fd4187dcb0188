import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConcurrencyError,
  type EventStore,
  type InlineAppendHandler,
  type SnapshotStore,
  type StoredEvent,
} from 'nestjs-event-sourcing';
import { readToHead } from './event-store.contract.js';
import type { TransactionHandle } from '../../lib/core/transaction-handle.js';

/** A store with what the module wires into it: its snapshots and its inline handlers. */
export interface TransactionalStore extends EventStore {
  createSnapshotStore(): SnapshotStore;
  addInlineHandler(handler: InlineAppendHandler): () => void;
}

export interface TransactionalStoreUnderTest {
  store: TransactionalStore;
  teardown(): Promise<void>;
}

/** An inline handler of one event type, removed again after the test. */
function handlerOf(
  type: string,
  apply: (events: readonly StoredEvent[], manager: TransactionHandle | undefined) => Promise<void>,
): InlineAppendHandler {
  return { handles: (t) => t === type, apply: (events, ctx) => apply(events, ctx.manager) };
}

/**
 * What every store does alike inside one append: inline handlers (projections) commit or roll
 * back with the events, whatever path appended them; a deleted stream takes its snapshot along.
 * Run against the in-memory store and every database.
 */
export function describeAppendTransactionContract(
  name: string,
  create: () => Promise<TransactionalStoreUnderTest>,
) {
  describe(`append transaction contract: ${name}`, () => {
    let subject: TransactionalStoreUnderTest;
    let store: TransactionalStore;
    beforeAll(async () => {
      subject = await create();
      store = subject.store;
    });
    afterAll(async () => {
      await subject?.teardown();
    });

    it('runs an inline handler inside a plain appendToStream, with the stored events', async () => {
      const type = `seen-${randomUUID()}`;
      const seen: [string, number][] = [];
      const remove = store.addInlineHandler(
        handlerOf(type, async (events) => {
          seen.push(...events.map((e): [string, number] => [e.streamId, e.version]));
        }),
      );
      try {
        const stream = `inl-${randomUUID()}`;
        await store.appendToStream(stream, [{ type: 'other', data: {} }]);
        await store.appendToStream(stream, [{ type, data: {} }], { expectedVersion: 1 });
        expect(seen).toEqual([[stream, 2]]);
      } finally {
        remove();
      }
    });

    it('an inline handler that throws fails the append, and nothing of it is kept', async () => {
      const type = `boom-${randomUUID()}`;
      const effects = `eff-${randomUUID()}`;
      const remove = store.addInlineHandler(
        handlerOf(type, async (events, manager) => {
          // An effect in the append's transaction first (what ctx.emit does), then a failure.
          await store.appendToStream(effects, [{ type: 'effect', data: {} }], { manager });
          if (events.some((e) => (e.data as { fail?: boolean }).fail)) {
            throw new Error('the read model refuses this event');
          }
        }),
      );
      try {
        const stream = `inl-${randomUUID()}`;
        const before = await readToHead(store);
        await expect(
          store.appendToStream(stream, [{ type, data: { fail: true } }]),
        ).rejects.toThrow('the read model refuses this event');
        expect(await store.streamVersion(stream)).toBe(0);
        expect(await store.streamVersion(effects)).toBe(0);
        const after = await readToHead(store, { after: before.checkpoint });
        expect(after.events.map((e) => e.streamId)).not.toContain(stream);

        await store.appendToStream(stream, [{ type, data: { fail: false } }]);
        expect(await store.streamVersion(stream)).toBe(1);
        expect(await store.streamVersion(effects)).toBe(1);
      } finally {
        remove();
      }
    });

    it('20 concurrent appends at one expected version with an inline handler: one winner, one effect', async () => {
      const type = `race-${randomUUID()}`;
      const effects = `eff-${randomUUID()}`;
      const remove = store.addInlineHandler(
        handlerOf(type, async (_events, manager) => {
          await store.appendToStream(effects, [{ type: 'effect', data: {} }], { manager });
        }),
      );
      try {
        const stream = `inl-${randomUUID()}`;
        await store.appendToStream(stream, [{ type: 'opened', data: {} }]);
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) =>
            store.appendToStream(stream, [{ type, data: { i } }], { expectedVersion: 1 }),
          ),
        );
        const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const error of lost) expect(error).toBeInstanceOf(ConcurrencyError);
        expect(await store.streamVersion(stream)).toBe(2);
        expect(await store.streamVersion(effects)).toBe(1);
      } finally {
        remove();
      }
    });

    it('deleteStream deletes the stream and its snapshot together', async () => {
      const snapshots = store.createSnapshotStore();
      const stream = `del-${randomUUID()}`;
      await store.appendToStream(stream, [{ type: 'personal', data: { name: 'Ada' } }]);
      await snapshots.save({ streamId: stream, version: 1, revision: 1, state: { name: 'Ada' } });
      expect(await snapshots.load(stream)).toBeDefined();
      await store.deleteStream(stream);
      expect(await store.streamExists(stream)).toBe(false);
      expect(await snapshots.load(stream)).toBeUndefined();
    });
  });
}
