import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  InMemoryEventStore,
  InvalidCheckpointError,
  InvalidOptionsError,
} from 'nestjs-event-sourcing';
import type { LogEvent } from 'nestjs-event-sourcing';
import { compareCheckpoints } from '../../lib/core/checkpoint.js';
import { SubscriptionCatchUpTimeoutError } from '../../lib/core/errors/subscription-catch-up-timeout.error.js';
import { SubscriptionFailedError } from '../../lib/core/errors/subscription-failed.error.js';
import { SubscriptionFencedError } from '../../lib/core/errors/subscription-fenced.error.js';
import { InMemorySubscriptionStore } from '../../lib/core/in-memory/in-memory-subscription-store.js';
import { Subscription } from '../../lib/engine/subscription.js';
import type { SubscriptionOptions } from '../../lib/engine/subscription.options.js';

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

async function appendMany(store: InMemoryEventStore, stream: string, types: string[]) {
  await store.appendToStream(
    stream,
    types.map((type, i) => ({ type, data: { i } })),
  );
}

function setup(overrides: Partial<SubscriptionOptions> = {}) {
  const eventStore = new InMemoryEventStore();
  const subscriptionStore = new InMemorySubscriptionStore();
  const seen: LogEvent[] = [];
  const batches: number[] = [];
  const options: SubscriptionOptions = {
    name: 'read-model',
    eventStore,
    subscriptionStore,
    pollIntervalMs: 10,
    logger: silent,
    handler: async (events) => {
      batches.push(events.length);
      seen.push(...events);
    },
    ...overrides,
  };
  return { eventStore, subscriptionStore, seen, batches, options };
}

describe('Subscription (in memory)', () => {
  it('hands every event over once, in log order and in batches, and stores the checkpoint', async () => {
    const { eventStore, subscriptionStore, seen, batches, options } = setup({ batchSize: 7 });
    await appendMany(
      eventStore,
      'order-1',
      Array.from({ length: 20 }, () => 'placed'),
    );
    const subscription = new Subscription(options);
    await subscription.start();
    await subscription.waitForCatchUp({ timeoutMs: 2000 });
    expect(seen.map((e) => e.globalPosition)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(batches).toEqual([7, 7, 6]);
    await appendMany(eventStore, 'order-2', ['placed', 'shipped']);
    await subscription.waitForCatchUp({ timeoutMs: 2000 });
    expect(seen).toHaveLength(22);
    const status = subscription.status();
    expect(status).toMatchObject({ name: 'read-model', state: 'running', isLeaseOwner: true });
    expect(status.checkpoint).toBe('22');
    expect((await subscriptionStore.load('read-model'))?.checkpoint).toBe('22');
    await subscription.stop();
    expect(subscription.status().state).toBe('stopped');
    expect(await subscriptionStore.load('read-model')).toMatchObject({
      state: 'stopped',
      leaseOwner: undefined,
    });
  });

  it('reads only the filtered types and categories, and still moves past the rest', async () => {
    const { eventStore, subscriptionStore, seen, options } = setup({
      types: ['placed'],
      categories: ['order'],
    });
    await appendMany(eventStore, 'order-1', ['placed', 'shipped', 'placed']);
    await appendMany(eventStore, 'invoice-1', ['placed']);
    const subscription = new Subscription(options);
    await subscription.start();
    await subscription.waitForCatchUp({ timeoutMs: 2000 });
    expect(seen.map((e) => [e.streamId, e.type, e.version])).toEqual([
      ['order-1', 'placed', 1],
      ['order-1', 'placed', 3],
    ]);
    await waitUntil(async () => (await subscriptionStore.load('read-model'))?.checkpoint === '4');
    await subscription.stop();
  });

  it('retries a failing batch with backoff, then fails alone; start() resumes after the fix', async () => {
    let broken = true;
    const attempts: number[] = [];
    const delays: number[] = [];
    const { eventStore, subscriptionStore, seen, options } = setup({
      batchSize: 2,
      retry: {
        maxAttempts: 3,
        backoffMs: (attempt) => {
          delays.push(attempt);
          return 1;
        },
      },
      handler: async (events) => {
        if (broken && events.some((e) => e.type === 'poison')) {
          attempts.push(events[0].globalPosition);
          throw new Error('cannot handle poison');
        }
        seen.push(...events);
      },
    });
    const others: LogEvent[] = [];
    const other = new Subscription({
      ...options,
      name: 'other',
      handler: async (events) => {
        others.push(...events);
      },
    });
    await appendMany(eventStore, 'order-1', ['ok', 'ok', 'ok', 'poison', 'ok']);
    const subscription = new Subscription(options);
    await Promise.all([subscription.start(), other.start()]);
    const failure = await subscription.waitForCatchUp({ timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SubscriptionFailedError);
    await waitUntil(() => subscription.status().state === 'failed');
    expect(attempts).toEqual([3, 3, 3]);
    expect(delays).toEqual([1, 2]);
    expect(seen.map((e) => e.globalPosition)).toEqual([1, 2]);
    const status = subscription.status();
    expect(status.state).toBe('failed');
    expect(status.lastError).toBe('cannot handle poison');
    expect(status.failure).toMatchObject({ message: 'cannot handle poison', position: 3 });
    expect(status.failure?.at).toBeInstanceOf(Date);
    expect(await subscriptionStore.load('read-model')).toMatchObject({
      state: 'failed',
      checkpoint: '2',
      lastError: 'cannot handle poison',
      failedPosition: 3,
      failedCheckpoint: '3',
      leaseOwner: undefined,
    });
    expect((await subscriptionStore.load('read-model'))?.failedAt).toBeInstanceOf(Date);

    await other.waitForCatchUp({ timeoutMs: 2000 });
    expect(others).toHaveLength(5);
    expect(other.status().state).toBe('running');

    broken = false;
    await subscription.start();
    await subscription.waitForCatchUp({ timeoutMs: 2000 });
    expect(seen.map((e) => e.globalPosition)).toEqual([1, 2, 3, 4, 5]);
    expect(subscription.status()).toMatchObject({ state: 'running', failure: undefined });
    expect((await subscriptionStore.load('read-model'))?.state).toBe('running');
    await Promise.all([subscription.stop(), other.stop()]);
  });

  it('a standby leaves a batch another runner failed alone until start() is called again', async () => {
    let broken = true;
    const calls: string[] = [];
    const { eventStore, subscriptionStore, options } = setup({
      retry: { maxAttempts: 2, backoffMs: 1 },
    });
    const runner = (owner: string) =>
      new Subscription({
        ...options,
        owner,
        handler: async () => {
          calls.push(owner);
          if (broken) throw new Error('broken');
        },
      });
    const first = runner('first');
    const standby = runner('standby');
    await first.start();
    await waitUntil(() => first.status().isLeaseOwner);
    await standby.start();
    await appendMany(eventStore, 'order-1', ['a']);
    await waitUntil(() => first.status().state === 'failed' && standby.status().state === 'failed');
    await sleep(50);
    expect(calls).toEqual(['first', 'first']);
    expect(standby.status().failure?.message).toBe('broken');

    broken = false;
    await standby.start();
    await standby.waitForCatchUp({ timeoutMs: 2000 });
    expect(calls).toEqual(['first', 'first', 'standby']);
    expect((await subscriptionStore.load('read-model'))?.state).toBe('running');
    await Promise.all([first.stop(), standby.stop()]);
  });

  it('waitForCatchUp times out with a typed error when nobody processes', async () => {
    const { eventStore, options } = setup();
    await appendMany(eventStore, 'order-1', ['placed']);
    const subscription = new Subscription(options);
    const started = Date.now();
    const error = await subscription.waitForCatchUp({ timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubscriptionCatchUpTimeoutError);
    expect((error as SubscriptionCatchUpTimeoutError).timeoutMs).toBe(100);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('waitForCatchUp resolves at once when there is nothing to process', async () => {
    const { options } = setup();
    await new Subscription(options).waitForCatchUp({ timeoutMs: 100 });
  });

  it('lets one owner process at a time; another takes over when the lease expires', async () => {
    const processedBy: string[] = [];
    const { eventStore, subscriptionStore, options } = setup({ leaseTtlMs: 150 });
    const runner = (owner: string) =>
      new Subscription({
        ...options,
        owner,
        handler: async (events) => {
          processedBy.push(...events.map(() => owner));
        },
      });
    const first = runner('first');
    const second = runner('second');
    await first.start();
    await second.start();
    await appendMany(eventStore, 'order-1', ['a', 'b', 'c']);
    await first.waitForCatchUp({ timeoutMs: 2000 });
    expect(processedBy).toEqual(['first', 'first', 'first']);
    expect(first.status().isLeaseOwner).toBe(true);
    expect(second.status().isLeaseOwner).toBe(false);

    await first.stop({ releaseLease: false });
    expect((await subscriptionStore.load('read-model'))?.leaseOwner).toBe('first');
    await appendMany(eventStore, 'order-2', ['d', 'e']);
    await second.waitForCatchUp({ timeoutMs: 2000 });
    expect(processedBy).toEqual(['first', 'first', 'first', 'second', 'second']);
    expect(second.status().isLeaseOwner).toBe(true);
    await second.stop();
  });

  it('wake() makes a slow-polling subscription look for new events at once', async () => {
    const { eventStore, seen, options } = setup({ pollIntervalMs: 60_000 });
    const subscription = new Subscription(options);
    await subscription.start();
    await waitUntil(() => subscription.status().state === 'running');
    await appendMany(eventStore, 'order-1', ['placed']);
    subscription.wake();
    await waitUntil(() => seen.length === 1, 1000);
    await subscription.stop();
  });

  it('stores the projection state with the checkpoint and hands it back after a restart', async () => {
    const { eventStore, subscriptionStore, options } = setup({
      batchSize: 2,
      handler: async (events, ctx) => {
        const total = (ctx.state as { total?: number } | undefined)?.total ?? 0;
        ctx.setState({ total: total + events.length });
      },
    });
    await appendMany(eventStore, 'order-1', ['a', 'b', 'c']);
    const subscription = new Subscription(options);
    await subscription.start();
    await subscription.waitForCatchUp({ timeoutMs: 2000 });
    await subscription.stop();
    expect((await subscriptionStore.load('read-model'))?.projectionState).toEqual({ total: 3 });
    await appendMany(eventStore, 'order-1', ['d']);
    const again = new Subscription(options);
    await again.start();
    await again.waitForCatchUp({ timeoutMs: 2000 });
    await again.stop();
    expect((await subscriptionStore.load('read-model'))?.projectionState).toEqual({ total: 4 });
  });

  it('starts over from the beginning at its next batch when reset while running', async () => {
    const { eventStore, subscriptionStore, seen, options } = setup();
    await appendMany(eventStore, 'order-1', ['a', 'b']);
    const subscription = new Subscription(options);
    await subscription.start();
    await subscription.waitForCatchUp({ timeoutMs: 2000 });
    await subscriptionStore.reset('read-model');
    await appendMany(eventStore, 'order-1', ['c']);
    await subscription.waitForCatchUp({ timeoutMs: 2000 });
    expect(seen.map((e) => e.globalPosition)).toEqual([1, 2, 1, 2, 3]);
    await subscription.stop();
  });

  it('stop() during a retry wait abandons the batch without saving past it', async () => {
    let calls = 0;
    const { eventStore, subscriptionStore, options } = setup({
      retry: { maxAttempts: 5, backoffMs: 60_000 },
      handler: async () => {
        calls++;
        throw new Error('down');
      },
    });
    await appendMany(eventStore, 'order-1', ['a']);
    const subscription = new Subscription(options);
    await subscription.start();
    await waitUntil(() => calls === 1);
    const started = Date.now();
    await subscription.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(calls).toBe(1);
    expect(await subscriptionStore.load('read-model')).toMatchObject({
      checkpoint: undefined,
      state: 'stopped',
    });
  });

  it('rejects bad options with a typed error', () => {
    const { options } = setup();
    expect(() => new Subscription({ ...options, name: '' })).toThrow(InvalidOptionsError);
    expect(() => new Subscription({ ...options, batchSize: 0 })).toThrow(InvalidOptionsError);
    expect(() => new Subscription({ ...options, leaseTtlMs: 1 })).toThrow(InvalidOptionsError);
  });
});

describe('InMemorySubscriptionStore', () => {
  it('gives a lease to one owner at a time, by its clock', async () => {
    let now = 1000;
    const store = new InMemorySubscriptionStore({ now: () => now });
    expect(await store.tryAcquireLease('s', 'a', 100)).toBe(true);
    expect(await store.tryAcquireLease('s', 'b', 100)).toBe(false);
    expect(await store.tryAcquireLease('s', 'a', 100)).toBe(true);
    now += 99;
    expect(await store.tryAcquireLease('s', 'b', 100)).toBe(false);
    expect(await store.renewLease('s', 'a', 100)).toBe(true);
    now += 100;
    expect(await store.tryAcquireLease('s', 'b', 100)).toBe(true);
    expect(await store.renewLease('s', 'a', 100)).toBe(false);
    await store.releaseLease('s', 'a');
    expect((await store.load('s'))?.leaseOwner).toBe('b');
    await store.releaseLease('s', 'b');
    expect(await store.tryAcquireLease('s', 'a', 100)).toBe(true);
  });

  it('fences checkpoint writes by owner and expected checkpoint, and resets', async () => {
    const store = new InMemorySubscriptionStore();
    await store.tryAcquireLease('s', 'a', 1000);
    const fence = { owner: 'a', checkpoint: undefined };
    expect(await store.claimBatch('s', { ...fence, ttlMs: 1000 })).toBe(true);
    await store.saveCheckpoint('s', '5', { fence, state: { n: 1 } });
    await expect(store.saveCheckpoint('s', '6', { fence })).rejects.toThrow(
      SubscriptionFencedError,
    );
    expect(await store.claimBatch('s', { owner: 'b', checkpoint: '5', ttlMs: 1000 })).toBe(false);
    await store.saveCheckpoint('s', '6', { fence: { owner: 'a', checkpoint: '5' } });
    expect(await store.load('s')).toMatchObject({ checkpoint: '6', projectionState: { n: 1 } });
    await store.markFailed('s', 'boom', { position: 7, checkpoint: '7' });
    expect(await store.load('s')).toMatchObject({ state: 'failed', failedPosition: 7 });
    await store.reset('s');
    await store.markState('s', 'running');
    expect(await store.load('s')).toMatchObject({
      checkpoint: undefined,
      projectionState: undefined,
      state: 'running',
      lastError: undefined,
    });
    expect((await store.list()).map((r) => r.name)).toEqual(['s']);
  });
});

describe('compareCheckpoints', () => {
  it('orders position and txid:position checkpoints numerically', () => {
    expect(compareCheckpoints('9', '10')).toBeLessThan(0);
    expect(compareCheckpoints('10', '10')).toBe(0);
    expect(compareCheckpoints('12:3', '9:40')).toBeGreaterThan(0);
    expect(compareCheckpoints('12:3', '12:30')).toBeLessThan(0);
    expect(() => compareCheckpoints('x', '1')).toThrow(InvalidCheckpointError);
  });
});

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}
