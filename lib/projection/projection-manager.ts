import {
  Injectable,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { EventStore } from '../core/event-store.js';
import { DuplicateWorkerNameError } from '../core/errors/duplicate-worker-name.error.js';
import { InlineProjectionControlError } from '../core/errors/inline-projection-control.error.js';
import { UnknownWorkerError } from '../core/errors/unknown-worker.error.js';
import { PartitionError } from '../core/errors/partition.error.js';
import { SubscriptionStore } from '../core/subscription-store.js';
import { WorkerBalancer } from '../engine/worker-balancer.js';
import { WorkerEnvironment } from '../engine/worker-environment.js';
import { WorkerHost } from '../engine/worker-host.js';
import { EventRegistry } from '../serialization/event-registry.js';
import { blueGreenRebuild } from './blue-green-rebuild.js';
import {
  DEFAULT_REBUILD_TIMEOUT_MS,
  replayInPlace,
  type RebuildOptions,
} from './projection-rebuild.js';
import { ProjectionRunner } from './projection-runner.js';
import { unpartitionedStatus, type ProjectionStatus } from './projection-status.js';
import { ProjectionStorage } from './projection-storage.js';
import { ProjectionWorkers } from './projection-workers.js';
import { getProjectionMetadata } from './projection.decorator.js';
import { PartitionedProjections } from './partition/partitioned-projections.js';
import type { PartitionRetryOutcome } from './partition/partition-retry.js';
import {
  InMemoryParkedPartitionStore,
  ParkedPartitionStore,
  type ParkedPartition,
} from '../core/parked-partition-store.js';

/**
 * Runs the `@Projection` providers found at startup (`register`): the inline ones inside each
 * append, the async ones as checkpointed workers; and lets operators and tests inspect and control them. What a worker does is in `ProjectionWorkers`;
 * how workers are hosted (leases, balancing, wake-ups, lag) in the engine's `WorkerHost`.
 */
@Injectable()
export class ProjectionManager implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runners = new Map<string, ProjectionRunner>();
  private readonly host: WorkerHost;
  private readonly workers: ProjectionWorkers;
  /** Projections declared with `partitionBy`: their buckets, instead of one worker. */
  private readonly partitioned = new PartitionedProjections();

  constructor(
    private readonly registry: EventRegistry,
    private readonly store: EventStore,
    private readonly subscriptions: SubscriptionStore,
    private readonly storage: ProjectionStorage,
    environment: WorkerEnvironment,
    @Optional() balancer?: WorkerBalancer,
    @Optional()
    private readonly parkedStore: ParkedPartitionStore = new InMemoryParkedPartitionStore(),
  ) {
    this.host = new WorkerHost({ store, subscriptions, environment, balancer });
    this.workers = new ProjectionWorkers(this.host);
  }

  /**
   * Registers a `@Projection` provider (lib/nest's discovery pass calls it for each one before
   * bootstrap); providers without the decorator are ignored.
   */
  register(instance: object, metatype: object): void {
    const metadata = getProjectionMetadata(metatype);
    if (!metadata) return;
    const existing = this.runners.get(metadata.name);
    if (existing) {
      throw new DuplicateWorkerNameError('projection', metadata.name, [
        existing.instance.constructor.name,
        instance.constructor.name,
      ]);
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
      host: this.host,
      manager: this.storage.manager,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const runner of this.inline()) {
      // Part of the store's append path, so every append of a handled event runs it.
      this.storage.addInlineHandler({
        handles: (type) => runner.handles(type),
        apply: (events, { manager }) =>
          runner.apply(events, {
            manager: manager as ProjectionStorage['manager'],
            isReplaying: () => false,
            inline: true,
          }),
      });
    }
    for (const runner of this.inline()) {
      // Inline projections have no worker; their row only records that init ran.
      if ((await this.subscriptions.load(runner.name)) === undefined) {
        await runner.hook('init', this.storage.manager);
        await this.subscriptions.markState(runner.name, 'running');
      }
    }
    this.host.listen();
    if (!this.host.autoStart) return; // workers: false, and the operator CLI
    for (const runner of this.runners.values()) {
      if (runner.metadata.mode === 'async') await this.start(runner.name);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.partitioned.stopAll();
    await this.host.stopAll();
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
    return this.host.reading();
  }

  async status(): Promise<ProjectionStatus[]> {
    const head = await this.host.head();
    const result: ProjectionStatus[] = [];
    for (const runner of this.runners.values()) {
      const partitioned = this.partitioned.get(runner.name);
      if (partitioned) {
        result.push(await partitioned.status(head.position, head.heldBackMs));
        continue;
      }
      const progress = await this.host.progress(runner.name, runner.name, head);
      const rebuilding = this.workers.isRebuilding(runner.name);
      result.push(unpartitionedStatus(runner, progress, head.position, rebuilding));
    }
    return result;
  }

  /** Starts (or resumes after a failure, from the last committed checkpoint) an async projection. */
  async start(name: string): Promise<void> {
    const runner = this.asyncRunner(name);
    const partitioned = this.partitioned.get(name);
    if (partitioned) return partitioned.start();
    const record = await this.subscriptions.load(name);
    if (record?.checkpoint === undefined) await runner.hook('init', this.storage.manager);
    await this.workers.live(runner).start();
  }

  async stop(name: string): Promise<void> {
    await this.host.get(this.asyncRunner(name).name)?.stop();
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
      await runner.hook('reset', this.storage.manager);
    }
    await this.subscriptions.reset(name);
  }

  /** Reset, then replay every event; resolves when the projection has caught up. */
  async rebuild(name: string, options: RebuildOptions = {}): Promise<void> {
    const runner = this.asyncRunner(name);
    const timeoutMs = options.timeoutMs ?? DEFAULT_REBUILD_TIMEOUT_MS;
    const partitioned = this.partitioned.get(name);
    if (partitioned && options.blueGreen) throw PartitionError.blueGreen(name);
    if (partitioned) return partitioned.rebuild(options, timeoutMs);
    if (options.partition !== undefined) this.partitioned.require(name); // explains
    const runs = { store: this.store, host: this.host, workers: this.workers };
    if (options.blueGreen) {
      await this.workers.rebuilding(name, () =>
        blueGreenRebuild({
          runner,
          store: this.store,
          subscriptions: this.subscriptions,
          storage: this.storage,
          live: this.workers.live(runner),
          shadow: (shadowName) => this.workers.shadow(runner, shadowName),
          timeoutMs,
          onProgress: options.onProgress,
        }),
      );
      return;
    }
    await this.reset(name);
    await replayInPlace(runs, name, () => this.start(name), timeoutMs, options.onProgress);
  }

  /** Stops the projection, drops its read model (`@ProjectionDelete`) and its checkpoint. */
  async delete(name: string): Promise<void> {
    const runner = this.asyncRunner(name);
    const partitioned = this.partitioned.get(name);
    if (partitioned) return partitioned.delete();
    await this.stop(name);
    await runner.hook('delete', this.storage.manager);
    await this.subscriptions.reset(name);
  }

  /** Resolves when the projection (or every async projection) has processed the whole log. */
  async waitForCatchUp(name?: string, options: { timeoutMs?: number } = {}): Promise<void> {
    const partitioned = name ? this.partitioned.get(name) : undefined;
    if (partitioned) return partitioned.waitForCatchUp(options.timeoutMs);
    // Without a name, every hosted worker: partition buckets included.
    await this.host.waitForCatchUp(name ? [this.asyncRunner(name).name] : undefined, options);
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
    this.host.wake();
  }

  private asyncRunner(name: string): ProjectionRunner {
    const runner = this.runners.get(name);
    if (!runner) throw new UnknownWorkerError('projection', name, this.names());
    if (runner.metadata.mode !== 'async') throw new InlineProjectionControlError(name);
    return runner;
  }
}
