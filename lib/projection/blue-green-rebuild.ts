import type { EntityManager } from 'typeorm';
import { BlueGreenRebuildError } from '../core/errors/blue-green-rebuild.error.js';
import type { EventStore } from '../core/event-store.js';
import type { LogCheckpoint, LogEvent } from '../core/event-store.types.js';
import { compareCheckpoints } from '../core/checkpoint.js';
import type { Subscription } from '../engine/subscription.js';
import type { SubscriptionStore } from '../core/subscription-store.js';
import type { ProjectionRunner } from './projection-runner.js';
import { positionOf } from '../core/checkpoint.js';
import { WorkerHost } from '../engine/worker-host.js';
import type { ProjectionStorage } from './projection-storage.js';

export interface BlueGreenDeps {
  runner: ProjectionRunner;
  store: EventStore;
  subscriptions: SubscriptionStore;
  storage: ProjectionStorage;
  /** The live worker (running or not). */
  live: Subscription;
  /** Makes the worker that builds the `next` copy under its own checkpoint. */
  shadow: (name: string) => Subscription;
  timeoutMs: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Rebuilds into a second copy of the read model while the live one keeps serving and following
 * the log, then swaps them:
 * 1. a shadow worker replays everything into `next` (emitting nothing: the live worker did);
 * 2. the live worker catches up past the shadow and stops at checkpoint L;
 * 3. in one transaction, the events between the shadow's checkpoint and L go into `next`,
 *    `@ProjectionSwap` makes `next` live, and the shadow's state becomes the projection's;
 * 4. the live worker resumes from L, on the swapped read model.
 * So every event is applied once to each copy, and emitted once.
 */
export async function blueGreenRebuild(deps: BlueGreenDeps): Promise<void> {
  const { runner, subscriptions, live } = deps;
  const name = runner.name;
  if (!runner.hasHook('swap')) {
    throw BlueGreenRebuildError.missingSwapHook(name);
  }
  const shadowName = `${name}:next`;
  await buildNextCopy(deps, shadowName);
  await live.start();
  await live.waitForCatchUp({ timeoutMs: deps.timeoutMs });
  const owner = (await subscriptions.load(name))?.leaseOwner;
  if (owner !== undefined && owner !== live.owner) {
    // Another process runs the live copy: it cannot be stopped from here for the swap.
    throw BlueGreenRebuildError.leaseHeldElsewhere(name, owner);
  }
  await live.stop();
  try {
    await swapIn(deps, shadowName);
  } finally {
    await live.start();
  }
}

/** Step 1: the shadow worker builds `next` from the start of the log, up to the head. */
async function buildNextCopy(deps: BlueGreenDeps, shadowName: string): Promise<void> {
  const { runner, store, subscriptions } = deps;
  const manager = deps.storage.manager;
  await subscriptions.reset(shadowName);
  await runner.hook('reset', manager, 'next');
  await runner.hook('init', manager, 'next');
  const shadow = deps.shadow(shadowName);
  const total = positionOf(await store.headCheckpoint());
  const stopReporting = WorkerHost.reportProgress(
    total,
    () => shadow.status().checkpoint,
    deps.onProgress,
  );
  await shadow.start();
  try {
    await shadow.waitForCatchUp({ timeoutMs: deps.timeoutMs });
  } finally {
    stopReporting();
    await shadow.stop();
  }
  deps.onProgress?.(total, total);
}

/** Step 3: the tail into `next`, the swap and the live checkpoint in one transaction. */
async function swapIn(deps: BlueGreenDeps, shadowName: string): Promise<void> {
  const { runner, store, subscriptions } = deps;
  const name = runner.name;
  const liveRecord = await subscriptions.load(name);
  const shadowRecord = await subscriptions.load(shadowName);
  const until = liveRecord?.checkpoint;
  const tail = await eventsBetween(store, runner.types, shadowRecord?.checkpoint, until);
  let state = shadowRecord?.projectionState;
  const swap = async (tx: EntityManager | undefined) => {
    await runner.apply(tail, {
      manager: tx,
      target: 'next',
      isReplaying: () => true,
      state: { get: () => state, set: (next) => (state = next) },
    });
    await runner.hook('swap', tx);
    if (until !== undefined) {
      await subscriptions.saveCheckpoint(name, until, { manager: tx, state: state ?? null });
    }
  };
  // On SQLite's one shared connection, other work must not run inside this transaction.
  await deps.storage.transaction(swap);
  await subscriptions.reset(shadowName);
}

/** The projection's events after `from` up to and including `until`. */
async function eventsBetween(
  store: EventStore,
  types: string[],
  from: LogCheckpoint | undefined,
  until: LogCheckpoint | undefined,
): Promise<LogEvent[]> {
  if (until === undefined) return [];
  const events: LogEvent[] = [];
  let after = from;
  for (;;) {
    if (after !== undefined && compareCheckpoints(after, until) >= 0) return events;
    const page = await store.readAll({ after, maxCount: 1000, types });
    for (const event of page.events) {
      if (compareCheckpoints(event.checkpoint, until) > 0) return events;
      events.push(event);
    }
    if (page.isEnd || page.checkpoint === after) return events;
    after = page.checkpoint;
  }
}
