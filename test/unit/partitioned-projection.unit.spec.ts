import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import {
  EventStore,
  InvalidOptionsError,
  PartitionedProjectionStateError,
  Projection,
  ProjectionHandler,
  ProjectionManager,
  partitionOf,
  type ProjectionContext,
} from 'nestjs-event-sourcing';
import { EventSourcingTestingModule } from 'nestjs-event-sourcing/testing';
import { fnv1a } from '../../lib/projection/partition/partition-key.js';
import { MoneyDeposited } from '../support/account.domain.js';

describe('@Projection partitionBy', () => {
  it('refuses inline partitioned projections, bad counts and partitions without partitionBy', () => {
    expect(() => Projection('p', { mode: 'inline', partitionBy: 'stream' })).toThrow(
      /inline projection runs inside each append and has no workers to partition/,
    );
    for (const partitions of [0, 65, 1.5, Number.NaN]) {
      expect(() => Projection('p', { partitionBy: 'stream', partitions })).toThrow(
        InvalidOptionsError,
      );
    }
    expect(() => Projection('p', { partitions: 4 })).toThrow(/it needs partitionBy too/);
    expect(() => Projection('p', { partitionBy: 'tenant' as 'stream' })).toThrow(
      /use 'stream' or a function/,
    );
    expect(() => Projection('p#1')).toThrow(InvalidOptionsError); // bucket names cannot clash
    expect(() => Projection('p', { partitionBy: 'stream', partitions: 64 })).not.toThrow();
    expect(() => Projection('p', { partitionBy: (e) => e.streamId, partitions: 1 })).not.toThrow();
  });
});

describe('partition hashing', () => {
  it('is 32-bit FNV-1a over UTF-8: the published test vectors', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
    // UTF-8 bytes, not UTF-16 code units: the same bucket in every runtime.
    expect(fnv1a('é')).toBe(fnv1a('\u00e9'));
    expect(fnv1a('é')).not.toBe(fnv1a('\u0065\u0301'));
  });

  it('is stable (buckets are stored: changing the hash would move keys between buckets)', () => {
    expect(['order-1', 'order-2', 'tenant:acme'].map((k) => partitionOf(k, 4))).toEqual([1, 0, 3]);
    expect(partitionOf('account-42', 16)).toBe(5);
  });

  it('spreads 10 000 stream ids evenly over 8 buckets (within 10 % of the mean)', () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 10_000; i++) counts[partitionOf(`order-${i}`, 8)]++;
    for (const count of counts) expect(Math.abs(count - 1250)).toBeLessThan(125);
  });
});

/** In memory: deposits per stream; throws on a deposit of 13 until `fixed`. */
@Projection('sums', {
  partitionBy: (e) => e.streamId.split('-')[0],
  partitions: 3,
  pollIntervalMs: 5,
  maxAttempts: 2,
})
class SumsProjection {
  readonly sums = new Map<string, number[]>();
  fixed = false;
  useState = false;

  @ProjectionHandler(MoneyDeposited)
  deposited(event: MoneyDeposited, ctx: ProjectionContext) {
    if (this.useState) ctx.getState();
    if (event.amount === 13 && !this.fixed) throw new Error('poison');
    const key = ctx.streamId.split('-')[0];
    this.sums.set(key, [...(this.sums.get(key) ?? []), event.amount]);
  }
}

describe('partitioned projections in memory', () => {
  it('park a key, skip its events, and catch it up on retry; state is refused', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [EventSourcingTestingModule.forRoot({})],
      providers: [SumsProjection],
    }).compile();
    const app = await moduleRef.init();
    try {
      const store = app.get(EventStore);
      const projections = app.get(ProjectionManager);
      const sums = app.get(SumsProjection);
      const deposit = (stream: string, amount: number) =>
        store.appendToStream(stream, [
          {
            type: 'account.deposited',
            data: { accountId: stream, amount },
            metadata: { eventVersion: 2 },
          },
        ]);
      for (const amount of [1, 2, 13, 3]) await deposit('a-1', amount);
      await deposit('a-2', 4); // same key 'a' (a custom key spanning streams)
      for (const amount of [5, 6]) await deposit('b-1', amount);
      await projections.waitForCatchUp('sums', { timeoutMs: 5_000 });
      expect(sums.sums.get('a')).toEqual([1, 2]);
      expect(sums.sums.get('b')).toEqual([5, 6]);
      const parked = await projections.parked('sums');
      expect(parked).toMatchObject([
        { key: 'a', partition: partitionOf('a', 3), version: 3, attempts: 2 },
      ]);
      expect(await projections.retryPartition('sums', 'a')).toMatchObject({
        state: 'failed',
        attempts: 3,
      });
      sums.fixed = true;
      expect(await projections.retryPartition('sums', 'a')).toEqual({
        state: 'resolved',
        events: 3,
      });
      expect(sums.sums.get('a')).toEqual([1, 2, 13, 3, 4]);
      await deposit('a-1', 7);
      await projections.waitForCatchUp('sums', { timeoutMs: 5_000 });
      expect(sums.sums.get('a')).toEqual([1, 2, 13, 3, 4, 7]);
      const [status] = await projections.status();
      expect(status).toMatchObject({ name: 'sums', parked: 0, lag: 0 });
      expect(status.partitions).toHaveLength(3);

      sums.useState = true;
      await deposit('c-1', 1);
      await projections.waitForCatchUp('sums', { timeoutMs: 5_000 });
      const [stateParked] = await projections.parked('sums');
      expect(stateParked.error).toBe(
        new PartitionedProjectionStateError('sums', 'getState').message,
      );
    } finally {
      await app.close();
    }
  });
});
