import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { EntityManager } from 'typeorm';
import { EventStore } from '../core/event-store.js';
import type { LogCheckpoint, LogEvent, StoredEvent } from '../core/event-store.types.js';
import { EventSourcingError } from '../core/errors/event-sourcing.error.js';
import { EventStoreConnection } from '../nest/event-store-connection.js';
import { EVENT_SOURCING_OPTIONS } from '../nest/event-sourcing.module-definition.js';
import type { EventSourcingModuleOptions } from '../nest/event-sourcing.options.js';
import { TypeOrmEventStore } from '../sql/typeorm-event-store.js';
import { EventRegistry } from '../serialization/event-registry.js';
import { compareCheckpoints } from '../core/checkpoint-order.js';
import { isReading, Subscription } from '../engine/subscription.js';
import { SubscriptionStore } from '../core/subscription-store.js';
import { WorkerBalancer } from '../engine/worker-balancer.js';
import { ProjectionRunner } from './projection-runner.js';
import { traceProjectionBatch } from '../telemetry/worker-tracing.js';
import { blueGreenRebuild } from './blue-green-rebuild.js';
import { positionOf, type ProjectionStatus } from './projection-status.js';
import { getProjectionMetadata } from './projection.decorator.js';
import { PartitionedProjections } from './partition/partitioned-projections.js';
import type { PartitionRetryOutcome } from './partition/partition-retry.js';
import {
  InMemoryParkedPartitionStore,
  ParkedPartitionStore,
  type ParkedPartition,
} from '../core/parked-partition-store.js';

export interface RebuildOptions {
  /**
   * Build a second copy of the read model while the live one keeps serving and following the log,
   * then swap (needs a `@ProjectionSwap()` hook and handlers that write to `ctx.target`).
   * @default false (reset, then replay in place)
   */
  blueGreen?: boolean;
  /** Called after each committed batch with the events done and the total to do. */
  onProgress?: (done: number, total: number) => void;
  /** @default 10 minutes */
  timeoutMs?: number;
  /** Partitioned projections: rebuild only this bucket (0 .. partitions-1). */
  partition?: number;
}

/**
 * Finds the `@Projection` providers at startup, runs the async ones as checkpointed workers, and
 * lets operators and tests inspect and control them.
 */
@Injectable()
export class ProjectionManager implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Projections');
  private readonly runners = new Map<string, ProjectionRunner>();
  private readonly workers = new Map<string, Subscription>();
  /** While rebuilding: the head of the log when the rebuild began; events up to it are replays. */
  private readonly replayUntil = new Map<string, LogCheckpoint>();
  /** Projections in a blue/green rebuild (their live copy keeps running). */
  private readonly rebuilding = new Set<string>();
  /** Projections declared with `partitionBy`: their buckets, instead of one worker. */
  private readonly partitioned = new PartitionedProjections();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly registry: EventRegistry,
    private readonly store: EventStore,
    private readonly subscriptions: SubscriptionStore,
    private readonly connection: EventStoreConnection,
    @Inject(EVENT_SOURCING_OPTIONS) private readonly options: EventSourcingModuleOptions,
    @Optional() private readonly balancer?: WorkerBalancer,
    @Optional()
    private readonly parkedStore: ParkedPartitionStore = new InMemoryParkedPartitionStore(),
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as object | undefined;
      const metadata = wrapper.metatype ? getProjectionMetadata(wrapper.metatype) : undefined;
      if (!instance || !metadata) continue;
      if (this.runners.has(metadata.name)) {
        throw new EventSourcingError(
          `two projections are named "${metadata.name}" (${this.runners.get(metadata.name)!.instance.constructor.name} and ${instance.constructor.name}); give each a unique name`,
        );
      }
      this.runners.set(
        metadata.name,
        new ProjectionRunner(metadata, instance, this.registry, this.store),
      );
      this.partitioned.add({
        runner: this.runners.get(metadata.name)!,
        store: this.store,
        subscriptions: this.subscriptions,
        parked: this.parkedStore,
        balancer: this.balancer,
        manager: this.connection.dataSource?.manager,
      });
    }
    for (const runner of this.inline()) {
      // Part of the store's append path, so every append of a handled event runs it.
      this.connection.addInlineHandler({
        handles: (type) => runner.handles(type),
        apply: (events, { manager }) =>
          runner.apply(events, {
            manager: manager as EntityManager | undefined,
            isReplaying: () => false,
            inline: true,
          }),
      });
    }
    for (const runner of this.inline()) {
      // Inline projections have no worker; their row only records that init ran.
      if ((await this.subscriptions.load(runner.name)) === undefined) {
        await runner.hook('init', this.connection.dataSource?.manager);
        await this.subscriptions.markState(runner.name, 'running');
      }
    }
    this.connection.changes.subscribe(() => this.wake());
    if (this.connection.options.workers === false) return; // also off in the operator CLI
    for (const runner of this.runners.values()) {
      if (runner.metadata.mode === 'async') await this.start(runner.name);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.workers.values()].map((worker) => worker.stop()));
    await this.partitioned.stopAll();
  }

  /** The inline projections (the store runs them inside each append). */
  inline(): ProjectionRunner[] {
    return [...this.runners.values()].filter((r) => r.metadata.mode === 'inline');
  }

  names(): string[] {
    return [...this.runners.keys()];
  }

  /** The projections whose worker in this process holds the lease and reads the log. */
  reading(): string[] {
    const workers = [...this.workers.entries()].filter(([, w]) => isReading(w));
    return [...workers.map(([name]) => name), ...this.partitioned.reading()];
  }

  async status(): Promise<ProjectionStatus[]> {
    const head = positionOf(await this.store.headCheckpoint());
    const heldBackMs =
      this.store instanceof TypeOrmEventStore ? await this.store.readHorizonAgeMs() : undefined;
    const result: ProjectionStatus[] = [];
    for (const runner of this.runners.values()) {
      const partitioned = this.partitioned.get(runner.name);
      if (partitioned) {
        result.push(await partitioned.status(head, heldBackMs));
        continue;
      }
      const record = await this.subscriptions.load(runner.name);
      const worker = this.workers.get(runner.name);
      const live = worker?.status();
      const checkpoint = live?.checkpoint ?? record?.checkpoint;
      const position = runner.metadata.mode === 'inline' ? head : positionOf(checkpoint);
      const failed = live?.state === 'failed' || record?.state === 'failed';
      result.push({
        name: runner.name,
        mode: runner.metadata.mode,
        state:
          runner.metadata.mode === 'inline'
            ? 'inline'
            : failed
              ? 'failed'
              : this.replayUntil.has(runner.name) || this.rebuilding.has(runner.name)
                ? 'rebuilding'
                : (live?.state ?? 'stopped'),
        checkpoint,
        position,
        headPosition: head,
        lag: Math.max(0, head - position),
        isLeaseOwner: live?.isLeaseOwner ?? false,
        heldBackMs,
        lastError: live?.lastError ?? record?.lastError,
        failedAt: record?.failedAt,
        failedPosition: record?.failedPosition,
      });
    }
    return result;
  }

  /** Starts (or resumes after a failure, from the last committed checkpoint) an async projection. */
  async start(name: string): Promise<void> {
    const runner = this.asyncRunner(name);
    const partitioned = this.partitioned.get(name);
    if (partitioned) return partitioned.start();
    const record = await this.subscriptions.load(name);
    if (record?.checkpoint === undefined)
      await runner.hook('init', this.connection.dataSource?.manager);
    await this.worker(runner).start();
  }

  async stop(name: string): Promise<void> {
    await this.workers.get(this.asyncRunner(name).name)?.stop();
    await this.partitioned.get(name)?.stop();
  }

  /** Stops the projection, empties its read model (`@ProjectionReset`) and its checkpoint. */
  async reset(name: string, target: { partition?: number } = {}): Promise<void> {
    const runner = this.asyncRunner(name);
    const partitioned = this.partitioned.get(name);
    if (partitioned) return partitioned.reset(target);
    if (target.partition !== undefined) this.partitioned.require(name); // explains
    await this.stop(name);
    // A projection that never ran has no read model to empty (its init hook has not run yet).
    if ((await this.subscriptions.load(name)) !== undefined) {
      await runner.hook('reset', this.connection.dataSource?.manager);
    }
    await this.subscriptions.reset(name);
  }

  /** Reset, then replay every event; resolves when the projection has caught up. */
  async rebuild(name: string, options: RebuildOptions = {}): Promise<void> {
    const partitioned = this.partitioned.get(this.asyncRunner(name).name);
    if (partitioned && options.blueGreen) {
      throw new EventSourcingError(
        `projection "${name}" is partitioned: rebuild it in place (all buckets, or one with ` +
          '{ partition }); a blue/green rebuild of partitioned projections is not supported',
      );
    }
    if (partitioned) return partitioned.rebuild(options, options.timeoutMs ?? 600_000);
    if (options.partition !== undefined) this.partitioned.require(name); // explains
    if (options.blueGreen) {
      const runner = this.asyncRunner(name);
      this.rebuilding.add(name);
      try {
        await blueGreenRebuild({
          runner,
          store: this.store,
          subscriptions: this.subscriptions,
          dataSource: this.connection.dataSource,
          live: this.worker(runner),
          shadow: (shadowName) => this.worker(runner, shadowName),
          timeoutMs: options.timeoutMs ?? 600_000,
          onProgress: options.onProgress,
        });
      } finally {
        this.rebuilding.delete(name);
      }
      return;
    }
    await this.reset(name);
    const head = await this.store.headCheckpoint();
    this.replayUntil.set(name, head);
    const total = positionOf(head);
    const progress = options.onProgress
      ? setInterval(() => {
          const checkpoint = this.workers.get(name)?.status().checkpoint;
          options.onProgress?.(Math.min(positionOf(checkpoint), total), total);
        }, 200)
      : undefined;
    try {
      await this.start(name);
      await this.workers.get(name)!.waitForCatchUp({ timeoutMs: options.timeoutMs ?? 600_000 });
      options.onProgress?.(total, total);
    } finally {
      if (progress) clearInterval(progress);
      this.replayUntil.delete(name);
    }
  }

  /** Stops the projection, drops its read model (`@ProjectionDelete`) and its checkpoint. */
  async delete(name: string): Promise<void> {
    const runner = this.asyncRunner(name);
    const partitioned = this.partitioned.get(name);
    if (partitioned) return partitioned.delete();
    await this.stop(name);
    await runner.hook('delete', this.connection.dataSource?.manager);
    await this.subscriptions.reset(name);
  }

  /** Resolves when the projection (or every async projection) has processed the whole log. */
  async waitForCatchUp(name?: string, options: { timeoutMs?: number } = {}): Promise<void> {
    const names = name ? [this.asyncRunner(name).name] : [...this.workers.keys()];
    const workers = names.flatMap((n) => this.workers.get(n) ?? []);
    await Promise.all(workers.map((worker) => worker.waitForCatchUp(options)));
    const partitioned = name ? [this.partitioned.get(name) ?? []].flat() : this.partitioned.all();
    await Promise.all(partitioned.map((p) => p.waitForCatchUp(options.timeoutMs)));
  }

  /** The keys partitioned projections parked (of one projection, or of all). */
  parked(name?: string): Promise<ParkedPartition[]> {
    return this.partitioned.parked(name);
  }

  /**
   * Retries a parked key of a partitioned projection: its events from the parked one up to the
   * bucket's checkpoint are applied in one transaction that unparks it. When another instance
   * holds the bucket, the retry is requested and made there (`state: 'requested'`).
   */
  retryPartition(name: string, key: string): Promise<PartitionRetryOutcome> {
    return this.partitioned.require(name).retry(key);
  }

  /** Wakes the workers after an append committed in this process (instead of the next poll). */
  wake(): void {
    for (const worker of this.workers.values()) worker.wake();
    this.partitioned.wake();
  }

  /**
   * The projection's worker, made once. With `shadowName`, a separate worker that builds the
   * `next` copy of a blue/green rebuild: it never emits (the live worker does) and is not kept.
   */
  private worker(runner: ProjectionRunner, shadowName?: string): Subscription {
    const existing = shadowName ? undefined : this.workers.get(runner.name);
    if (existing) return existing;
    const name = shadowName ?? runner.name;
    const worker = new Subscription({
      name,
      eventStore: this.store,
      subscriptionStore: this.subscriptions,
      batchSize: runner.metadata.batchSize,
      pollIntervalMs: runner.metadata.pollIntervalMs,
      retry: { maxAttempts: runner.metadata.maxAttempts },
      types: runner.types,
      // The live worker shares the application's leases with the other instances.
      balancer: shadowName ? undefined : this.balancer,
      logger: new Logger(`Projection ${name}`),
      handler: (events, ctx) => {
        // Handlers see the state as set earlier in the same batch, not only as committed.
        let state = ctx.state;
        return traceProjectionBatch(name, events, () =>
          runner.apply(events, {
            manager: ctx.manager,
            target: shadowName ? 'next' : 'live',
            isReplaying: (event) =>
              shadowName !== undefined || this.isReplaying(runner.name, event),
            onEvent: (event) => ctx.handling(event as LogEvent),
            state: {
              get: () => state,
              set: (next) => {
                state = next;
                ctx.setState(next);
              },
            },
          }),
        );
      },
    });
    if (!shadowName) this.workers.set(runner.name, worker);
    return worker;
  }

  private isReplaying(name: string, event: StoredEvent): boolean {
    const until = this.replayUntil.get(name);
    const checkpoint = (event as { checkpoint?: LogCheckpoint }).checkpoint;
    return (
      until !== undefined && checkpoint !== undefined && compareCheckpoints(checkpoint, until) <= 0
    );
  }

  private asyncRunner(name: string): ProjectionRunner {
    const runner = this.runners.get(name);
    if (!runner) {
      throw new EventSourcingError(
        `no projection is named "${name}"; known projections: ${this.names().join(', ') || '(none)'}`,
      );
    }
    if (runner.metadata.mode !== 'async') {
      throw new EventSourcingError(
        `projection "${name}" is inline: it runs inside each append and has no worker to control`,
      );
    }
    return runner;
  }
}
