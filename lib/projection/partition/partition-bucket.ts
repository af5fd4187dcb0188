import { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EventStore } from '../../core/event-store.js';
import type { LogEvent, StoredEvent } from '../../core/event-store.types.js';
import { PartitionedProjectionStateError } from '../../core/errors/partitioned-projection-state.error.js';
import type { ParkedPartitionStore } from '../../core/parked-partition-store.js';
import type { SubscriptionStore } from '../../core/subscription-store.js';
import type { TransactionHandle } from '../../core/transaction-handle.js';
import type { UnitOfWork } from '../../core/unit-of-work.js';
import { errorMessage } from '../../core/error-message.js';
import type { Subscription } from '../../engine/subscription.js';
import type { SubscriptionContext } from '../../engine/subscription.options.js';
import type { WorkerHost } from '../../engine/worker-host.js';
import type { ApplyContext, ProjectionRunner } from '../projection-runner.js';
import { bucketName, partitionKeyOf, partitionOf, type PartitionBy } from './partition-key.js';
import { retryParkedKey, type PartitionRetryOutcome } from './partition-retry.js';
import { Serial } from './serial.js';
import { traceProjectionBatch } from '../../telemetry/worker-tracing.js';
import { failsTheBatch, inSavepoint } from './savepoint.js';

export interface PartitionBucketDeps {
  runner: ProjectionRunner;
  index: number;
  store: EventStore;
  subscriptions: SubscriptionStore;
  parked: ParkedPartitionStore;
  host: WorkerHost;
  /** Whether an event is a replay (a rebuild of the projection is running). */
  isReplaying: (event: StoredEvent) => boolean;
}

/** A bucket's own lease time (the Subscription default). */
export const BUCKET_LEASE_TTL_MS = 10_000;

/**
 * One bucket of a partitioned projection: an ordinary leased, checkpointed subscription over the
 * projection's event types that applies only the events whose key hashes to it. A batch is applied
 * in a savepoint; when it throws, its events are applied one at a time (each in a savepoint, with
 * `maxAttempts` tries) and the key of an event that keeps failing is parked in the batch's
 * transaction, so its later events are skipped while the other keys go on.
 */
export class PartitionBucket {
  readonly name: string;
  readonly subscription: Subscription;
  private readonly serial = new Serial();
  private readonly unitOfWork: UnitOfWork;
  private readonly partitionBy: PartitionBy;
  private readonly partitions: number;
  private readonly logger: Logger;

  constructor(private readonly d: PartitionBucketDeps) {
    const partitioned = d.runner.metadata.partitioned!;
    this.partitionBy = partitioned.by;
    this.partitions = partitioned.partitions;
    this.name = bucketName(d.runner.name, d.index);
    this.logger = new Logger(`Projection ${this.name}`);
    this.unitOfWork = d.subscriptions.unitOfWork();
    // Batches and retries of this bucket never overlap in this process; across processes the
    // lease and the checkpoint fence of claimBatch keep them apart.
    const serialised: UnitOfWork = {
      run: (work) => this.serial.run(() => this.unitOfWork.run(work)),
    };
    this.subscription = d.host.worker(this.name, () => ({
      name: this.name,
      batchSize: d.runner.metadata.batchSize,
      pollIntervalMs: d.runner.metadata.pollIntervalMs,
      retry: { maxAttempts: d.runner.metadata.maxAttempts },
      types: d.runner.types,
      leaseTtlMs: BUCKET_LEASE_TTL_MS,
      unitOfWork: serialised,
      logger: this.logger,
      handler: (events, ctx) =>
        traceProjectionBatch(this.name, events, () => this.handle(events, ctx)),
    }));
  }

  get index(): number {
    return this.d.index;
  }

  /** The key of an event, when this bucket owns it (undefined: another bucket's, or unhandled). */
  keyOf(event: StoredEvent): string | undefined {
    if (!this.d.runner.handles(event.type)) return undefined;
    const key = partitionKeyOf(event, this.partitionBy, this.d.runner.name);
    return partitionOf(key, this.partitions) === this.d.index ? key : undefined;
  }

  /** Retries a parked key of this bucket now; only the lease holder can (see PartitionRetryOutcome). */
  retry(key: string): Promise<PartitionRetryOutcome> {
    return this.serial.run(() =>
      retryParkedKey({
        bucket: this,
        key,
        types: this.d.runner.types,
        leaseTtlMs: BUCKET_LEASE_TTL_MS,
        store: this.d.store,
        subscriptions: this.d.subscriptions,
        parked: this.d.parked,
        unitOfWork: this.unitOfWork,
        apply: (events, manager) =>
          this.apply(events, manager as EntityManager | undefined, undefined),
        logger: this.logger,
      }),
    );
  }

  private async handle(events: LogEvent[], ctx: SubscriptionContext): Promise<void> {
    const keys = new Map<LogEvent, string>();
    for (const event of events) {
      const key = this.keyOf(event);
      if (key !== undefined) keys.set(event, key);
    }
    if (keys.size === 0) return; // the checkpoint still moves past the other buckets' events
    const parked = new Set(
      await this.d.parked.keys(this.d.runner.name, this.d.index, { manager: ctx.manager }),
    );
    const mine = [...keys.keys()].filter((event) => !parked.has(keys.get(event)!));
    if (mine.length === 0) return;
    let failing: StoredEvent | undefined;
    try {
      await inSavepoint(ctx.manager, (manager) =>
        this.apply(mine, manager, ctx, (event) => (failing = event)),
      );
    } catch (error) {
      if (failsTheBatch(error)) throw error;
      // In memory nothing rolled back: the events before the failing one are applied already.
      const from = ctx.manager ? 0 : Math.max(0, mine.indexOf(failing as LogEvent));
      await this.isolate(mine.slice(from), keys, parked, ctx);
    }
  }

  /** One event at a time: the failing key is parked, the others are applied. */
  private async isolate(
    events: LogEvent[],
    keys: Map<LogEvent, string>,
    parked: Set<string>,
    ctx: SubscriptionContext,
  ): Promise<void> {
    const maxAttempts = this.d.runner.metadata.maxAttempts;
    for (const event of events) {
      const key = keys.get(event)!;
      if (parked.has(key)) continue;
      for (let attempt = 1; ; attempt++) {
        try {
          await inSavepoint(ctx.manager, (manager) => this.apply([event], manager, ctx));
          break;
        } catch (error) {
          if (failsTheBatch(error)) throw error;
          if (attempt < maxAttempts) {
            await delay(50 * 2 ** (attempt - 1));
            continue;
          }
          await this.park(event, key, error, attempt, ctx.manager);
          parked.add(key);
          break;
        }
      }
    }
  }

  private async park(
    event: LogEvent,
    key: string,
    error: unknown,
    attempts: number,
    manager: TransactionHandle | undefined,
  ): Promise<void> {
    const message = errorMessage(error);
    this.logger.error(
      `parked partition "${key}": event ${event.eventId} (${event.type}, stream ${event.streamId} ` +
        `v${event.version}, position ${event.globalPosition}) failed ${attempts} times: ${message}; ` +
        `its later events are skipped until it is retried (projectionManager.retryPartition(` +
        `'${this.d.runner.name}', '${key}') or the CLI: projections retry ${this.d.runner.name} ` +
        `--partition ${key})`,
      error instanceof Error ? error.stack : undefined,
    );
    await this.d.parked.park(
      {
        projection: this.d.runner.name,
        key,
        partition: this.d.index,
        eventId: event.eventId,
        eventType: event.type,
        streamId: event.streamId,
        version: event.version,
        position: event.globalPosition,
        checkpoint: event.checkpoint,
        error: message,
        attempts,
        parkedAt: new Date(),
      },
      { manager },
    );
  }

  private apply(
    events: StoredEvent[],
    manager: EntityManager | undefined,
    ctx: SubscriptionContext | undefined,
    onEvent?: (event: StoredEvent) => void,
  ): Promise<void> {
    const name = this.d.runner.name;
    const apply: ApplyContext = {
      manager,
      isReplaying: this.d.isReplaying,
      onEvent: (event) => {
        onEvent?.(event);
        ctx?.handling(event as LogEvent);
      },
      state: {
        get: () => {
          throw new PartitionedProjectionStateError(name, 'getState');
        },
        set: () => {
          throw new PartitionedProjectionStateError(name, 'setState');
        },
      },
    };
    return this.d.runner.apply(events, apply);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
