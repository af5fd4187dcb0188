import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConcurrencyError,
  DuplicateEventIdError,
  EventSerializationError,
  InvalidCheckpointError,
  InvalidEventError,
  InvalidExpectedVersionError,
  InvalidStreamIdError,
  type EventStore,
  type LogCheckpoint,
  type LogEvent,
  type ReadAllOptions,
  type NewEvent,
} from 'nestjs-event-sourcing';
import { compareCheckpoints } from '../../lib/core/checkpoint.js';
import { describeBadInputContract } from './bad-input.contract.js';

export interface StoreUnderTest {
  store: EventStore;
  teardown(): Promise<void>;
}

const ev = (type: string, data: unknown = {}, extra: Partial<NewEvent> = {}): NewEvent => ({
  type,
  data,
  ...extra,
});

/** A unique stream id per test, in a unique category, so tests in one file never collide. */
function newStream(prefix = 'c'): string {
  return `${prefix}${randomUUID().slice(0, 8)}-${randomUUID()}`;
}

/**
 * Reads the global log from `after` until the reader has passed every event committed before the
 * call. On PostgreSQL the newest events can stay unreadable for a moment while any transaction on
 * the server is still open (the gap-safe horizon), so one read right after an append is not enough.
 */
export async function readToHead(store: EventStore, options: ReadAllOptions = {}) {
  const head = await store.headCheckpoint();
  const events: LogEvent[] = [];
  const pageSizes: number[] = [];
  let after = options.after;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const page = await store.readAll({ ...options, after });
    events.push(...page.events);
    pageSizes.push(page.events.length);
    after = page.checkpoint;
    if (compareCheckpoints(after, head) >= 0) return { events, checkpoint: after, pageSizes };
    if (page.isEnd) {
      if (Date.now() > deadline) throw new Error(`the log did not reach ${head} within 10 s`);
      await sleep(10);
    }
  }
}

/** The checkpoint at the current end of the global log. */
export async function endOfLog(store: EventStore): Promise<LogCheckpoint> {
  return (await readToHead(store)).checkpoint;
}

/**
 * The behaviour every EventStore must have, written once and run against each store
 * (in-memory, PostgreSQL, MariaDB, SQLite).
 */
export function describeEventStoreContract(name: string, create: () => Promise<StoreUnderTest>) {
  describe(`EventStore contract: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: EventStore;
    beforeAll(async () => {
      subject = await create();
      store = subject.store;
    });
    afterAll(async () => {
      await subject?.teardown();
    });

    describe('append and read a stream', () => {
      it('numbers versions 1..n and reads back type, data, metadata, ids and time', async () => {
        const id = newStream('order');
        const before = Date.now();
        const result = await store.appendToStream(
          id,
          [
            ev(
              'order.placed',
              { total: 10, lines: [{ sku: 'a', qty: 2 }] },
              { metadata: { k: 1 } },
            ),
            ev('order.paid', { amount: 10 }),
          ],
          {
            expectedVersion: 'no_stream',
            metadata: { correlationId: 'corr-1' },
          },
        );
        expect(result.nextExpectedVersion).toBe(2);
        expect(result.events.map((e) => e.version)).toEqual([1, 2]);
        expect(result.events[1].globalPosition).toBeGreaterThan(result.events[0].globalPosition);

        const read = await store.readStream(id);
        expect(read.map((e) => [e.type, e.version])).toEqual([
          ['order.placed', 1],
          ['order.paid', 2],
        ]);
        expect(read[0].data).toEqual({
          total: 10,
          lines: [{ sku: 'a', qty: 2 }],
        });
        expect(read[0].metadata).toEqual({ correlationId: 'corr-1', k: 1 });
        expect(read[1].metadata).toEqual({ correlationId: 'corr-1' });
        expect(read[0].streamId).toBe(id);
        expect(read[0].eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
        expect(read.map((e) => e.eventId)).toEqual(result.events.map((e) => e.eventId));
        expect(read.map((e) => e.globalPosition)).toEqual(
          result.events.map((e) => e.globalPosition),
        );
        expect(read[0].occurredAt).toBeInstanceOf(Date);
        expect(read[0].occurredAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
        expect(read[0].occurredAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
      });

      it('continues versions across appends with a numeric expected version', async () => {
        const id = newStream();
        await store.appendToStream(id, [ev('a')], {
          expectedVersion: 'no_stream',
        });
        const second = await store.appendToStream(id, [ev('b'), ev('c')], {
          expectedVersion: 1,
        });
        expect(second.nextExpectedVersion).toBe(3);
        expect(await store.streamVersion(id)).toBe(3);
        expect((await store.readStream(id)).map((e) => e.version)).toEqual([1, 2, 3]);
      });

      it('reads a missing stream as empty, at version 0', async () => {
        const id = newStream();
        expect(await store.readStream(id)).toEqual([]);
        expect(await store.streamVersion(id)).toBe(0);
        expect(await store.streamExists(id)).toBe(false);
      });

      it('reads from a version, at most maxCount, forward and backward', async () => {
        const id = newStream();
        await store.appendToStream(
          id,
          ['1', '2', '3', '4', '5'].map((n) => ev(`e${n}`)),
        );
        const versions = async (o: Parameters<EventStore['readStream']>[1]) =>
          (await store.readStream(id, o)).map((e) => e.version);
        expect(await versions({ fromVersion: 3 })).toEqual([3, 4, 5]);
        expect(await versions({ fromVersion: 2, maxCount: 2 })).toEqual([2, 3]);
        expect(await versions({ direction: 'backward' })).toEqual([5, 4, 3, 2, 1]);
        expect(
          await versions({
            direction: 'backward',
            fromVersion: 3,
            maxCount: 2,
          }),
        ).toEqual([3, 2]);
      });

      it('keeps unicode, a 255-character stream id and a string payload intact', async () => {
        const id = `u-${'é'.repeat(200)}-${randomUUID().slice(0, 8)}`.padEnd(255, 'x');
        expect(id).toHaveLength(255);
        await store.appendToStream(id, [ev('text.written', 'héllo 🌍 "quoted" \\ back')]);
        const [event] = await store.readStream(id);
        expect(event.data).toBe('héllo 🌍 "quoted" \\ back');
        expect(event.streamId).toBe(id);
      });

      it('treats an empty event list as a no-op that reports the current version', async () => {
        const id = newStream();
        await store.appendToStream(id, [ev('a'), ev('b')]);
        const result = await store.appendToStream(id, [], {
          expectedVersion: 0,
        });
        expect(result).toEqual({
          streamId: id,
          nextExpectedVersion: 2,
          events: [],
        });
        expect(await store.streamVersion(id)).toBe(2);
      });
    });

    describe('expected version', () => {
      it('rejects a stale numeric version with ConcurrencyError and writes nothing', async () => {
        const id = newStream();
        await store.appendToStream(id, [ev('a'), ev('b')]);
        const error = await store
          .appendToStream(id, [ev('c')], { expectedVersion: 1 })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error).toMatchObject({
          streamId: id,
          expectedVersion: 1,
          actualVersion: 2,
        });
        expect((error as Error).message).toMatch(/is at version 2, expected 1; reload/);
        expect(await store.streamVersion(id)).toBe(2);
      });

      it('rejects a version ahead of the stream (no gaps)', async () => {
        const id = newStream();
        await store.appendToStream(id, [ev('a')]);
        await expect(store.appendToStream(id, [ev('b')], { expectedVersion: 5 })).rejects.toThrow(
          ConcurrencyError,
        );
        expect((await store.readStream(id)).map((e) => e.version)).toEqual([1]);
      });

      it("'no_stream' fails on an existing stream, 'stream_exists' on a missing one", async () => {
        const id = newStream();
        await expect(
          store.appendToStream(id, [ev('a')], {
            expectedVersion: 'stream_exists',
          }),
        ).rejects.toMatchObject({ name: 'ConcurrencyError', actualVersion: 0 });
        await store.appendToStream(id, [ev('a')], {
          expectedVersion: 'no_stream',
        });
        await expect(
          store.appendToStream(id, [ev('b')], { expectedVersion: 'no_stream' }),
        ).rejects.toMatchObject({ name: 'ConcurrencyError', actualVersion: 1 });
        await store.appendToStream(id, [ev('b')], {
          expectedVersion: 'stream_exists',
        });
        expect(await store.streamVersion(id)).toBe(2);
      });

      it('version 0 means the stream must not exist yet', async () => {
        const id = newStream();
        await store.appendToStream(id, [ev('a')], { expectedVersion: 0 });
        await expect(store.appendToStream(id, [ev('b')], { expectedVersion: 0 })).rejects.toThrow(
          ConcurrencyError,
        );
      });

      it('of two writers at the same expected version exactly one wins, 50 times over', async () => {
        for (let trial = 0; trial < 50; trial++) {
          const id = newStream('race');
          await store.appendToStream(id, [ev('opened')]);
          const outcomes = await Promise.allSettled([
            store.appendToStream(id, [ev('w1'), ev('w1b')], {
              expectedVersion: 1,
            }),
            store.appendToStream(id, [ev('w2')], { expectedVersion: 1 }),
          ]);
          const won = outcomes.filter((o) => o.status === 'fulfilled');
          const lost = outcomes.filter((o) => o.status === 'rejected');
          expect(won).toHaveLength(1);
          expect(lost).toHaveLength(1);
          expect(lost[0].reason).toBeInstanceOf(ConcurrencyError);
          const types = (await store.readStream(id)).map((e) => e.type);
          expect([
            ['opened', 'w1', 'w1b'],
            ['opened', 'w2'],
          ]).toContainEqual(types);
        }
      });

      it("'any' never conflicts, even with many writers on one stream, and keeps 1..n", async () => {
        const id = newStream('busy');
        const writers = Array.from({ length: 12 }, (_, w) =>
          (async () => {
            for (let i = 0; i < 5; i++) {
              await store.appendToStream(id, [ev(`w${w}`), ev(`w${w}`)], {
                expectedVersion: 'any',
              });
            }
          })(),
        );
        await Promise.all(writers);
        const events = await store.readStream(id);
        expect(events.map((e) => e.version)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
        // Each append's two events stay adjacent: an append is atomic.
        for (let i = 0; i < events.length; i += 2) expect(events[i].type).toBe(events[i + 1].type);
      });
    });

    describe('idempotency and atomicity', () => {
      it('a retried append with the same event ids returns the original result and writes nothing', async () => {
        const id = newStream();
        const events = [
          ev('a', { n: 1 }, { eventId: randomUUID() }),
          ev('b', {}, { eventId: randomUUID() }),
        ];
        const first = await store.appendToStream(id, events, {
          expectedVersion: 'no_stream',
        });
        const retry = await store.appendToStream(id, events, {
          expectedVersion: 'no_stream',
        });
        expect(retry.nextExpectedVersion).toBe(2);
        expect(retry.events.map((e) => [e.eventId, e.version, e.globalPosition])).toEqual(
          first.events.map((e) => [e.eventId, e.version, e.globalPosition]),
        );
        await store.appendToStream(id, [ev('c')], { expectedVersion: 2 });
        const late = await store.appendToStream(id, events, {
          expectedVersion: 'no_stream',
        });
        expect(late.nextExpectedVersion).toBe(2);
        expect(await store.streamVersion(id)).toBe(3);
      });

      it('an event id already used elsewhere is DuplicateEventIdError and nothing is written', async () => {
        const eventId = randomUUID();
        const first = newStream();
        await store.appendToStream(first, [ev('a', {}, { eventId })]);
        const second = newStream();
        const error = await store
          .appendToStream(second, [ev('x'), ev('y', {}, { eventId })])
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect((error as Error).message).toContain(eventId);
        expect(await store.streamExists(second)).toBe(false);
      });

      it('a failing append writes none of its events', async () => {
        const id = newStream();
        await store.appendToStream(id, [ev('a')]);
        const taken = randomUUID();
        await store.appendToStream(newStream(), [ev('t', {}, { eventId: taken })]);
        await expect(
          store.appendToStream(id, [ev('b'), ev('c'), ev('d', {}, { eventId: taken })], {
            expectedVersion: 1,
          }),
        ).rejects.toThrow(DuplicateEventIdError);
        expect((await store.readStream(id)).map((e) => e.type)).toEqual(['a']);
        await store.appendToStream(id, [ev('b')], { expectedVersion: 1 });
        expect(await store.streamVersion(id)).toBe(2);
      });
    });

    describe('bad input is a typed error and writes nothing', () => {
      const cases: [string, () => Promise<unknown>, new (...a: never[]) => Error][] = [
        ['empty stream id', () => store.appendToStream('', [ev('a')]), InvalidStreamIdError],
        [
          'stream id over 255',
          () => store.appendToStream('s'.repeat(256), [ev('a')]),
          InvalidStreamIdError,
        ],
        ['control characters', () => store.appendToStream('a\nb', [ev('a')]), InvalidStreamIdError],
        [
          'non-string stream id',
          () => store.appendToStream(42 as never, [ev('a')]),
          InvalidStreamIdError,
        ],
        [
          'negative version',
          () =>
            store.appendToStream(newStream(), [ev('a')], {
              expectedVersion: -1,
            }),
          InvalidExpectedVersionError,
        ],
        [
          'fractional version',
          () =>
            store.appendToStream(newStream(), [ev('a')], {
              expectedVersion: 1.5,
            }),
          InvalidExpectedVersionError,
        ],
        [
          'unknown version word',
          () =>
            store.appendToStream(newStream(), [ev('a')], {
              expectedVersion: 'latest' as never,
            }),
          InvalidExpectedVersionError,
        ],
        [
          'BigInt payload',
          () => store.appendToStream(newStream(), [ev('a', { n: 1n })]),
          EventSerializationError,
        ],
        [
          'cyclic payload',
          () => {
            const o: Record<string, unknown> = {};
            o.self = o;
            return store.appendToStream(newStream(), [ev('a', o)]);
          },
          EventSerializationError,
        ],
        [
          'type over 255',
          () => store.appendToStream(newStream(), [ev('t'.repeat(256))]),
          InvalidEventError,
        ],
        ['empty type', () => store.appendToStream(newStream(), [ev('')]), InvalidEventError],
        [
          'malformed event id',
          () => store.appendToStream(newStream(), [ev('a', {}, { eventId: 'nope' })]),
          InvalidEventError,
        ],
        ['invalid checkpoint', () => store.readAll({ after: 'garbage' }), InvalidCheckpointError],
        ['invalid stream id on read', () => store.readStream(''), InvalidStreamIdError],
      ];
      it.each(cases)('%s', async (_label, call, errorClass) => {
        const before = await endOfLog(store);
        const error = await call().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(errorClass);
        expect((error as Error).message.length).toBeGreaterThan(20);
        const after = await readToHead(store, { after: before });
        expect(after.events).toEqual([]);
      });

      it('binds stream ids and types as parameters, never as SQL', async () => {
        const id = `q-'; DROP TABLE x; --"\`${randomUUID()}`;
        await store.appendToStream(id, [ev('it\'s "quoted" `x`')]);
        expect((await store.readStream(id))[0].type).toBe('it\'s "quoted" `x`');
      });
    });

    describeBadInputContract(() => store);

    describe('global log', () => {
      it('pages through every event once, in order, with a checkpoint to continue from', async () => {
        const start = await endOfLog(store);
        const id = newStream('log');
        for (let i = 0; i < 7; i++) await store.appendToStream(id, [ev(`e${i}`), ev(`e${i}b`)]);
        const { events, checkpoint, pageSizes } = await readToHead(store, {
          after: start,
          maxCount: 3,
        });
        expect(Math.max(...pageSizes)).toBeLessThanOrEqual(3);
        expect(pageSizes.filter((n) => n > 0).length).toBeGreaterThanOrEqual(5);
        expect(events.map((e) => e.type)).toEqual(
          Array.from({ length: 7 }, (_, i) => [`e${i}`, `e${i}b`]).flat(),
        );
        expect((await store.readAll({ after: checkpoint })).events).toEqual([]);
      });

      it('each event carries the checkpoint right after it', async () => {
        const start = await endOfLog(store);
        const id = newStream();
        await store.appendToStream(id, [ev('a'), ev('b'), ev('c')]);
        const all = await readToHead(store, { after: start });
        const fromSecond = await readToHead(store, { after: all.events[0].checkpoint });
        expect(fromSecond.events.map((e) => e.type)).toEqual(['b', 'c']);
      });

      it('filters by type and by category, and moves past what it skipped', async () => {
        const start = await endOfLog(store);
        const cat = `cat${randomUUID().slice(0, 8)}`;
        const other = `oth${randomUUID().slice(0, 8)}`;
        await store.appendToStream(`${cat}-1`, [ev(`${cat}.x`), ev(`${cat}.y`)]);
        await store.appendToStream(`${other}-1`, [ev(`${cat}.x`), ev(`${other}.z`)]);
        await store.appendToStream(`${cat}-2`, [ev(`${cat}.y`)]);

        const byCategory = await readToHead(store, { after: start, categories: [cat] });
        expect(byCategory.events.map((e) => e.streamId)).toEqual([
          `${cat}-1`,
          `${cat}-1`,
          `${cat}-2`,
        ]);
        const byType = await readToHead(store, { after: start, types: [`${cat}.x`] });
        expect(byType.events.map((e) => e.streamId)).toEqual([`${cat}-1`, `${other}-1`]);
        const both = await readToHead(store, {
          after: start,
          types: [`${cat}.y`],
          categories: [cat],
        });
        expect(both.events.map((e) => e.streamId)).toEqual([`${cat}-1`, `${cat}-2`]);

        // A filter that matches nothing still brings the checkpoint to the end of the log.
        await store.appendToStream(`${other}-2`, [ev(`${other}.z`)]);
        const none = await readToHead(store, { after: start, types: ['never.stored'] });
        expect(none.events).toEqual([]);
        expect((await store.readAll({ after: none.checkpoint })).events).toEqual([]);
        await store.appendToStream(`${cat}-3`, [ev(`${cat}.x`)]);
        const next = await readToHead(store, { after: none.checkpoint, categories: [cat] });
        expect(next.events.map((e) => e.streamId)).toEqual([`${cat}-3`]);
      });

      it('a deleted stream disappears, may start again at 1, and readers still see new events', async () => {
        const id = newStream('del');
        await store.appendToStream(id, [ev('a'), ev('b')]);
        const past = await endOfLog(store);
        await store.deleteStream(id);
        expect(await store.readStream(id)).toEqual([]);
        expect(await store.streamExists(id)).toBe(false);
        const again = await store.appendToStream(id, [ev('c')], {
          expectedVersion: 'no_stream',
        });
        expect(again.events[0].version).toBe(1);
        const page = await readToHead(store, { after: past });
        expect(page.events.map((e) => [e.streamId, e.type])).toEqual([[id, 'c']]);
        await store.deleteStream(newStream()); // deleting a missing stream is a no-op
      });
    });
  });
}
