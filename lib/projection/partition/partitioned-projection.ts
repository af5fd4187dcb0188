import { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { compareCheckpoints } from '../../core/checkpoint.js';
import type { EventStore } from '../../core/event-store.js';
import type { LogCheckpoint, StoredEvent } from '../../core/event-store.types.js';
import { PartitionError } from '../../core/errors/partition.error.js';
import type { ParkedPartition, ParkedPartitionStore } from '../../core/parked-partition-store.js';
import type { SubscriptionStore } from '../../core/subscription-store.js';
import { errorMessage } from '../../core/error-message.js';
import { isReading } from '../../engine/subscription.js';
import type { WorkerHost } from '../../engine/worker-host.js';
import type { ProjectionRunner } from '../projection-runner.js';
import { PartitionBucket } from './partition-bucket.js';
import { partitionOf, partitionScope } from './partition-key.js';
import type { PartitionRetryOutcome } from './partition-retry.js';
import { partitionedStatus } from './partitioned-status.js';
import { positionOf } from '../../core/checkpoint.js';
import type { ProjectionStatus } from '../projection-status.js';

export interface PartitionedProjectionDeps {
  runner: ProjectionRunner;
  store: EventStore;
  subscriptions: SubscriptionStore;
  parked: ParkedPartitionStore;
  /** Hosts the buckets like the other workers: balanced, woken, stopped at shutdown. */
  host: WorkerHost;
  /** An EntityManager of the store's database for the lifecycle hooks (undefined in memory). */
  manager?: EntityManager;
}

/** `rebuild(name, { partition })`: one bucket only; the whole projection without it. */
export interface PartitionTarget {
  partition?: number;
}

export interface RebuildTarget extends PartitionTarget {
  onProgress?: (done: number, total: number) => void;
}

/**
 * A partitioned projection: `partitions` buckets, each an ordinary leased worker (so the
 * application's WorkerBalancer spreads them over the instances like projections), plus the
 * lifecycle of the whole (init once, reset all or one bucket, rebuild) and the parked keys.
 */
export class PartitionedProjection {
  readonly buckets: PartitionBucket[];
  private readonly logger: Logger;
  /** While rebuilding: the head of the log when the rebuild began, per bucket being rebuilt. */
  private readonly replayUntil = new Map<number, LogCheckpoint>();
  private poller: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(private readonly d: PartitionedProjectionDeps) {
    this.logger = new Logger(`Projection ${d.runner.name}`);
    const count = d.runner.metadata.partitioned!.partitions;
    this.buckets = Array.from(
      { length: count },
      (_, index) =>
        new PartitionBucket({
          runner: d.runner,
          index,
          store: d.store,
          subscriptions: d.subscriptions,
          parked: d.parked,
          host: d.host,
          isReplaying: (event) => this.isReplaying(index, event),
        }),
    );
  }

  get name(): string {
    return this.d.runner.name;
  }

  /** Starts every bucket (init runs once, before the first event of the first bucket). */
  async start(): Promise<void> {
    const records = await Promise.all(this.buckets.map((b) => this.d.subscriptions.load(b.name)));
    if (records.every((r) => r?.checkpoint === undefined)) {
      await this.d.runner.hook('init', this.d.manager);
    }
    for (const bucket of this.buckets) await bucket.subscription.start();
    this.startPoller();
  }

  async stop(): Promise<void> {
    clearInterval(this.poller);
    this.poller = undefined;
    await Promise.all(this.buckets.map((b) => b.subscription.stop()));
  }

  /**
   * Stops, runs `@ProjectionReset` (once; for one bucket it receives `ctx.partition`), forgets the
   * checkpoints and parked keys. A one-bucket reset leaves the other buckets running.
   */
  async reset(target: PartitionTarget = {}): Promise<void> {
    const buckets = this.selected(target);
    await Promise.all(buckets.map((b) => b.subscription.stop()));
    const scope =
      target.partition === undefined
        ? undefined
        : partitionScope(target.partition, this.buckets.length);
    const records = await Promise.all(buckets.map((b) => this.d.subscriptions.load(b.name)));
    // A projection that never ran has no read model to empty (its init hook has not run yet).
    if (records.some((r) => r !== undefined)) {
      await this.d.runner.hook('reset', this.d.manager, 'live', scope);
    }
    for (const bucket of buckets) await this.d.subscriptions.reset(bucket.name);
    await this.d.parked.clear(this.name, target.partition);
  }

  /** Reset (all or one bucket), then replay; resolves when the rebuilt buckets caught up. */
  async rebuild(target: RebuildTarget, timeoutMs: number): Promise<void> {
    await this.reset(target);
    const head = await this.d.store.headCheckpoint();
    const buckets = this.selected(target);
    for (const bucket of buckets) this.replayUntil.set(bucket.index, head);
    const total = positionOf(head);
    // Progress: the slowest rebuilt bucket (each passes every event of the log).
    const slowest = () =>
      Math.min(...buckets.map((b) => positionOf(b.subscription.status().checkpoint)));
    const progress = target.onProgress
      ? setInterval(() => target.onProgress?.(Math.min(slowest(), total), total), 200)
      : undefined;
    try {
      if (target.partition === undefined) await this.start();
      else await buckets[0].subscription.start();
      await Promise.all(buckets.map((b) => b.subscription.waitForCatchUp({ timeoutMs })));
      target.onProgress?.(total, total);
    } finally {
      if (progress) clearInterval(progress);
      for (const bucket of buckets) this.replayUntil.delete(bucket.index);
    }
  }

  /** Drops the read model (`@ProjectionDelete`), the checkpoints and the parked keys. */
  async delete(): Promise<void> {
    await this.stop();
    await this.d.runner.hook('delete', this.d.manager);
    for (const bucket of this.buckets) await this.d.subscriptions.reset(bucket.name);
    await this.d.parked.clear(this.name);
  }

  async waitForCatchUp(timeoutMs?: number): Promise<void> {
    await Promise.all(this.buckets.map((b) => b.subscription.waitForCatchUp({ timeoutMs })));
  }

  wake(): void {
    for (const bucket of this.buckets) bucket.subscription.wake();
  }

  /** The buckets whose lease this process holds and which follow the log. */
  reading(): string[] {
    return this.buckets.filter((b) => isReading(b.subscription)).map((b) => b.name);
  }

  isRebuilding(): boolean {
    return this.replayUntil.size > 0;
  }

  async status(head: number, heldBackMs: number | undefined): Promise<ProjectionStatus> {
    return partitionedStatus(this, this.d.subscriptions, this.d.parked, head, heldBackMs);
  }

  parked(): Promise<ParkedPartition[]> {
    return this.d.parked.list(this.name);
  }

  /**
   * Retries a parked key: at once when this process holds its bucket's lease, else the request is
   * stored and the holder retries within about a second (`state: 'requested'`).
   */
  async retry(key: string): Promise<PartitionRetryOutcome> {
    const row = await this.d.parked.find(this.name, key);
    if (!row) return { state: 'not-parked' };
    const bucket = this.buckets[partitionOf(key, this.buckets.length)];
    const outcome = await bucket.retry(key);
    if (outcome.state !== 'requested') return outcome;
    await this.d.parked.requestRetry(this.name, key);
    const owner = (await this.d.subscriptions.load(bucket.name))?.leaseOwner;
    return { state: 'requested', ...(owner && { owner }) };
  }

  private selected(target: PartitionTarget): PartitionBucket[] {
    if (target.partition === undefined) return this.buckets;
    const bucket = this.buckets[target.partition];
    if (!Number.isInteger(target.partition) || !bucket) {
      throw PartitionError.unknownPartition(this.name, this.buckets.length, target.partition);
    }
    return [bucket];
  }

  private isReplaying(index: number, event: StoredEvent): boolean {
    const until = this.replayUntil.get(index);
    const checkpoint = (event as { checkpoint?: LogCheckpoint }).checkpoint;
    return (
      until !== undefined && checkpoint !== undefined && compareCheckpoints(checkpoint, until) <= 0
    );
  }

  /** Retries asked for in another process (the CLI, another instance) reach the lease holder. */
  private startPoller(): void {
    if (this.poller) return;
    const every = Math.max(1000, this.d.runner.metadata.pollIntervalMs);
    this.poller = setInterval(() => void this.pollRetries(), every);
    this.poller.unref();
  }

  private async pollRetries(): Promise<void> {
    const held = this.buckets.filter((b) => b.subscription.status().isLeaseOwner);
    if (this.polling || held.length === 0) return;
    this.polling = true;
    try {
      const requested = (await this.d.parked.list(this.name)).filter((r) => r.retryRequestedAt);
      for (const row of requested) {
        const bucket = held.find((b) => b.index === row.partition);
        if (bucket) await bucket.retry(row.key);
      }
    } catch (error) {
      this.logger.warn(`could not look for requested retries: ${errorMessage(error)}`);
    } finally {
      this.polling = false;
    }
  }
}
