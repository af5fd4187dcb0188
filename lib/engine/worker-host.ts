import type { EventStore } from '../core/event-store.js';
import type { LogCheckpoint } from '../core/event-store.types.js';
import type { SubscriptionStore } from '../core/subscription-store.js';
import { positionOf } from '../core/checkpoint.js';
import { leaseHolderOf } from '../core/lease-holder.js';
import { isReading, Subscription } from './subscription.js';
import type { SubscriptionOptions, SubscriptionStatusState } from './subscription.options.js';
import type { WorkerBalancer } from './worker-balancer.js';
import type { WorkerEnvironment } from './worker-environment.js';

/** The head of the log, read once per status report. */
export interface LogHead {
  position: number;
  /** See `WorkerEnvironment.heldBackMs`. */
  heldBackMs: number | undefined;
}

/** Where one worker stands, live (this process) or as stored (any process). */
export interface WorkerProgress {
  /** The live state in this process; `stopped` when it has no worker here. */
  state: SubscriptionStatusState;
  /** Failed here or, as stored, in whichever process ran it last. */
  failed: boolean;
  checkpoint: LogCheckpoint | undefined;
  position: number;
  headPosition: number;
  lag: number;
  isLeaseOwner: boolean;
  /** The instance holding the lease now (any process), as stored; undefined: nobody. */
  leaseOwner: string | undefined;
  heldBackMs: number | undefined;
  lastError: string | undefined;
  /** As stored when the worker last failed. */
  failedAt: Date | undefined;
  failedPosition: number | undefined;
}

/** What a hosted worker is made of, less what every worker of the host shares. */
export type HostedWorkerOptions = Omit<
  SubscriptionOptions,
  'eventStore' | 'subscriptionStore' | 'balancer'
>;

export interface WorkerHostDeps {
  store: EventStore;
  subscriptions: SubscriptionStore;
  environment: WorkerEnvironment;
  /** Spreads the leases of the hosted workers over the application's instances. */
  balancer?: WorkerBalancer;
}

/**
 * The workers of one kind (projections, sagas) in this process: made once each, balanced across
 * instances, woken on every commit notice, stopped together, and reported with the same lag
 * maths. The managers above it only decide what each worker does.
 */
export class WorkerHost {
  private readonly workers = new Map<string, Subscription>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly deps: WorkerHostDeps) {}

  /** Whether workers start at bootstrap (see `WorkerEnvironment.autoStart`). */
  get autoStart(): boolean {
    return this.deps.environment.autoStart;
  }

  /**
   * From now on, new events committed (here, or on PostgreSQL anywhere) wake the workers at once
   * instead of at their next poll; `also` runs on each notice too.
   */
  listen(also?: () => void): void {
    this.unsubscribe ??= this.deps.environment.changes.subscribe(() => {
      this.wake();
      also?.();
    });
  }

  /**
   * The worker kept under `key`, made on first use. `balanced: false` (a blue/green shadow) makes
   * a worker that is neither kept nor counted among the application's balanced workers.
   */
  worker(key: string, make: () => HostedWorkerOptions, { balanced = true } = {}): Subscription {
    const existing = balanced ? this.workers.get(key) : undefined;
    if (existing) return existing;
    const worker = new Subscription({
      ...make(),
      eventStore: this.deps.store,
      subscriptionStore: this.deps.subscriptions,
      balancer: balanced ? this.deps.balancer : undefined,
    });
    if (balanced) this.workers.set(key, worker);
    return worker;
  }

  get(key: string): Subscription | undefined {
    return this.workers.get(key);
  }

  keys(): string[] {
    return [...this.workers.keys()];
  }

  /** The workers that hold their lease in this process and read the log. */
  reading(): string[] {
    return [...this.workers.entries()].filter(([, w]) => isReading(w)).map(([key]) => key);
  }

  /** Whether the worker under `key` runs (reading, standing by or catching up) in this process. */
  isRunning(key: string): boolean {
    const state = this.workers.get(key)?.status().state;
    return state !== undefined && state !== 'stopped';
  }

  /** Looks for new events now instead of at the next poll. */
  wake(): void {
    for (const worker of this.workers.values()) worker.wake();
  }

  /** Resolves when these workers (default: all) have processed the whole log. */
  async waitForCatchUp(keys?: string[], options: { timeoutMs?: number } = {}): Promise<void> {
    const workers = (keys ?? this.keys()).flatMap((key) => this.workers.get(key) ?? []);
    await Promise.all(workers.map((worker) => worker.waitForCatchUp(options)));
  }

  /** Stops listening and every worker (at shutdown). */
  async stopAll(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await Promise.all([...this.workers.values()].map((worker) => worker.stop()));
  }

  async head(): Promise<LogHead> {
    return {
      position: positionOf(await this.deps.store.headCheckpoint()),
      heldBackMs: await this.deps.environment.heldBackMs(),
    };
  }

  /** Where the worker under `key` (stored as `subscription`) stands against `head`. */
  async progress(key: string, subscription: string, head: LogHead): Promise<WorkerProgress> {
    const record = await this.deps.subscriptions.load(subscription);
    const live = this.workers.get(key)?.status();
    const checkpoint = live?.checkpoint ?? record?.checkpoint;
    const position = positionOf(checkpoint);
    return {
      state: live?.state ?? 'stopped',
      failed: live?.state === 'failed' || record?.state === 'failed',
      checkpoint,
      position,
      headPosition: head.position,
      lag: Math.max(0, head.position - position),
      isLeaseOwner: live?.isLeaseOwner ?? false,
      leaseOwner: leaseHolderOf(record),
      heldBackMs: head.heldBackMs,
      lastError: live?.lastError ?? record?.lastError,
      failedAt: record?.failedAt,
      failedPosition: record?.failedPosition,
    };
  }

  /**
   * Reports `(done, total)` every 200 ms from `checkpoint()` until the returned function is called
   * (long replays show progress in the CLI); does nothing without `onProgress`.
   */
  static reportProgress(
    total: number,
    checkpoint: () => LogCheckpoint | undefined,
    onProgress: ((done: number, total: number) => void) | undefined,
  ): () => void {
    if (!onProgress) return () => undefined;
    const timer = setInterval(() => {
      onProgress(Math.min(positionOf(checkpoint()), total), total);
    }, 200);
    return () => clearInterval(timer);
  }
}
