import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ConcurrencyError,
  InvalidCheckpointError,
  InvalidEventError,
  InvalidExpectedVersionError,
  InvalidReadOptionsError,
  InvalidStreamIdError,
  MAX_PAGE_SIZE,
  MAX_STREAM_VERSION,
  UnstorableTextError,
  type EventStore,
  type NewEvent,
} from 'nestjs-event-sourcing';
import { endOfLog, readToHead } from './event-store.contract.js';

type ErrorClass = new (...args: never[]) => Error;

const ev = (data: unknown, metadata?: NewEvent['metadata']): NewEvent => ({
  type: 'probe.happened',
  data,
  metadata,
});

function newStream(): string {
  return `bad${randomUUID().slice(0, 8)}-${randomUUID()}`;
}

/**
 * Input that passed the library's checks and reached the driver, where each database reacted
 * differently (raw driver errors, a silently empty read, a whole log read into memory). Every store
 * must now refuse it with the same typed error before touching storage.
 */
export function describeBadInputContract(getStore: () => EventStore) {
  describe('input that must never reach the driver', () => {
    /** Runs `call`, expects `errorClass`, and checks the global log did not move. */
    async function rejects(call: (store: EventStore) => Promise<unknown>, errorClass: ErrorClass) {
      const store = getStore();
      const before = await endOfLog(store);
      const error = await call(store).then(
        (value) => ({ resolved: value }),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(errorClass);
      const after = await readToHead(store, { after: before });
      expect(after.events).toEqual([]);
      return error as Error;
    }

    describe('payload and metadata text', () => {
      const cases: [string, NewEvent, string, string][] = [
        [
          'NUL in a nested payload string',
          ev({ lines: [{ sku: 'a\u0000b' }] }),
          'data.lines[0].sku',
          'NUL',
        ],
        ['lone high surrogate in the payload', ev({ name: 'x\ud800' }), 'data.name', 'surrogate'],
        ['lone low surrogate in the payload', ev({ name: '\udc00y' }), 'data.name', 'surrogate'],
        ['NUL in a payload key', ev({ ['a\u0000b']: 1 }), 'data', 'NUL'],
        ['a string payload with NUL', ev('\u0000'), 'data', 'NUL'],
        ['NUL in metadata', ev({}, { userId: 'u\u0000' }), 'metadata.userId', 'NUL'],
        [
          'lone surrogate deep in metadata',
          ev({}, { a: { 'b c': ['\ud83d'] } }),
          'metadata.a["b c"][0]',
          'surrogate',
        ],
      ];
      it.each(cases)(
        '%s is UnstorableTextError naming the path',
        async (_label, event, path, what) => {
          const error = await rejects(
            (store) => store.appendToStream(newStream(), [{ type: 'ok', data: {} }, event]),
            UnstorableTextError,
          );
          expect(error).toBeInstanceOf(InvalidEventError);
          expect((error as UnstorableTextError).path).toBe(path);
          expect(error.message).toContain(`event #1`);
          expect(error.message).toContain(path);
          expect(error.message).toContain(what);
        },
      );

      it('rejects bad text in the metadata shared by all events of an append', async () => {
        const error = await rejects(
          (store) =>
            store.appendToStream(newStream(), [ev({})], { metadata: { tenant: 't\u0000' } }),
          UnstorableTextError,
        );
        expect((error as UnstorableTextError).path).toBe('metadata.tenant');
      });

      it('keeps surrogate pairs, other control characters and an escaped "\\u0000" text intact', async () => {
        const store = getStore();
        const id = newStream();
        const data = {
          emoji: '😀 𝄞',
          tab: 'a\tb\u0001',
          literal: '\\u0000 \\ud800',
          key: { 'é😀': 1 },
        };
        await store.appendToStream(id, [ev(data, { note: '\\u0000' })]);
        const [read] = await store.readStream(id);
        expect(read.data).toEqual(data);
        expect(read.metadata).toEqual({ note: '\\u0000' });
      });

      it('rejects an event type that is not well-formed Unicode', async () => {
        await rejects(
          (store) => store.appendToStream(newStream(), [{ type: 'a\ud800', data: {} }]),
          InvalidEventError,
        );
      });
    });

    describe('stream ids that are not well-formed Unicode', () => {
      it.each([['x\ud800'], ['x\udbff'], ['\udc00order-1']])(
        '%j is refused everywhere',
        async (id) => {
          await rejects((store) => store.appendToStream(id, [ev({})]), InvalidStreamIdError);
          await rejects((store) => store.readStream(id), InvalidStreamIdError);
          await rejects((store) => store.streamVersion(id), InvalidStreamIdError);
          await rejects((store) => store.streamExists(id), InvalidStreamIdError);
          await rejects((store) => store.deleteStream(id), InvalidStreamIdError);
        },
      );

      it('two distinct lone surrogates never become one stream', async () => {
        const store = getStore();
        const suffix = randomUUID();
        await store.appendToStream(`x😀${suffix}`, [ev({})]);
        expect(await store.streamVersion(`x😀${suffix}`)).toBe(1);
        await rejects(
          (s) => s.appendToStream(`x\ud800${suffix}`, [ev({})], { expectedVersion: 'no_stream' }),
          InvalidStreamIdError,
        );
      });
    });

    describe('expected version', () => {
      it.each([
        ['2^31', 2 ** 31],
        ['2^53', 2 ** 53],
        ['null', null],
        ['NaN', Number.NaN],
        ['"3" as text', '3'],
      ])('%s is InvalidExpectedVersionError', async (_label, expectedVersion) => {
        await rejects(
          (store) =>
            store.appendToStream(newStream(), [ev({})], {
              expectedVersion: expectedVersion as never,
            }),
          InvalidExpectedVersionError,
        );
      });

      it('the largest version the column holds is accepted (and conflicts on a new stream)', async () => {
        await rejects(
          (store) =>
            store.appendToStream(newStream(), [ev({})], { expectedVersion: MAX_STREAM_VERSION }),
          ConcurrencyError,
        );
      });
    });

    describe('read options', () => {
      const badCounts: [string, unknown][] = [
        ['"abc"', 'abc'],
        ['-1', -1],
        ['-5', -5],
        ['0', 0],
        ['1.5', 1.5],
        ['NaN', Number.NaN],
        ['Infinity', Infinity],
        ['one over the largest page', MAX_PAGE_SIZE + 1],
        ['null', null],
      ];
      it.each(badCounts)(
        'readStream maxCount %s is InvalidReadOptionsError',
        async (_l, maxCount) => {
          const store = getStore();
          const id = newStream();
          await store.appendToStream(id, [ev({}), ev({})]);
          const error = await rejects(
            (s) => s.readStream(id, { maxCount: maxCount as number }),
            InvalidReadOptionsError,
          );
          expect(error.message).toContain('maxCount');
          expect(error.message).toContain(String(MAX_PAGE_SIZE));
        },
      );

      it.each(badCounts)('readAll maxCount %s is InvalidReadOptionsError', async (_l, maxCount) => {
        await rejects((s) => s.readAll({ maxCount: maxCount as number }), InvalidReadOptionsError);
      });

      it.each([
        ['NaN', Number.NaN],
        ['2^40', 2 ** 40],
        ['-1', -1],
        ['"1"', '1'],
        ['2.5', 2.5],
      ])('readStream fromVersion %s is InvalidReadOptionsError', async (_l, fromVersion) => {
        await rejects(
          (s) => s.readStream(newStream(), { fromVersion: fromVersion as number }),
          InvalidReadOptionsError,
        );
      });

      it('rejects an unknown direction and filters that are not lists of text', async () => {
        await rejects(
          (s) => s.readStream(newStream(), { direction: 'sideways' as never }),
          InvalidReadOptionsError,
        );
        await rejects((s) => s.readAll({ types: 'a' as never }), InvalidReadOptionsError);
        await rejects((s) => s.readAll({ categories: [1] as never }), InvalidReadOptionsError);
        await rejects((s) => s.readAll({ types: ['x\ud800'] }), InvalidReadOptionsError);
      });

      it('reads exactly the largest page, and the edge versions, without error', async () => {
        const store = getStore();
        const id = newStream();
        await store.appendToStream(id, [ev({}), ev({}), ev({})]);
        expect(await store.readStream(id, { maxCount: MAX_PAGE_SIZE })).toHaveLength(3);
        expect(await store.readStream(id, { fromVersion: 0 })).toHaveLength(3);
        expect(await store.readStream(id, { fromVersion: MAX_STREAM_VERSION })).toHaveLength(0);
        expect(
          await store.readStream(id, { fromVersion: MAX_STREAM_VERSION, direction: 'backward' }),
        ).toHaveLength(3);
        const page = await store.readAll({ maxCount: MAX_PAGE_SIZE });
        expect(page.events.length).toBeLessThanOrEqual(MAX_PAGE_SIZE);
      });
    });

    describe('checkpoints', () => {
      const malformed: [string, unknown][] = [
        ['empty', ''],
        ['padded', ' 12 '],
        ['hex', '0x10'],
        ['exponent', '1e3'],
        ['null', null],
        ['a number', 42],
        ['negative', '-1'],
        ['leading zero', '012'],
        ['decimal', '1.5'],
        ['three parts', '1:2:3'],
        ['position past 2^53', '99999999999999999999'],
        ['transaction id past xid8', '99999999999999999999999:0'],
        ['position past bigint', '1:99999999999999999999'],
        ['trailing colon', '1:'],
      ];
      it.each(malformed)('%s (%j) is InvalidCheckpointError', async (_l, after) => {
        const error = await rejects(
          (s) => s.readAll({ after: after as string }),
          InvalidCheckpointError,
        );
        expect(error.message).toContain('readAll');
      });

      it("a checkpoint of another store's form is refused, its own form is read", async () => {
        const store = getStore();
        const head = await endOfLog(store);
        const foreign = head.includes(':') ? head.split(':')[1] : `1:${head}`;
        await rejects((s) => s.readAll({ after: foreign }), InvalidCheckpointError);
        await expect(store.readAll({ after: head, maxCount: 1 })).resolves.toBeDefined();
      });
    });
  });
}
