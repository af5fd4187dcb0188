import type { EntityManager } from 'typeorm';
import { Logger } from '@nestjs/common';
import { compareCheckpoints } from '../core/checkpoint.js';
import type { LogCheckpoint, LogEvent, StoredEvent } from '../core/event-store.types.js';
import type { Subscription } from '../engine/subscription.js';
import type { SubscriptionContext } from '../engine/subscription.options.js';
import type { HostedWorkerOptions, WorkerHost } from '../engine/worker-host.js';
import { traceProjectionBatch } from '../telemetry/worker-tracing.js';
import type { ProjectionRunner } from './projection-runner.js';

/**
 * What a projection's worker does with each batch: hands it to the runner in the batch's
 * transaction, with the projection's state and whether each event is a replay. Also remembers
 * which projections are being rebuilt, as their status and `isReplaying` depend on it.
 */
export class ProjectionWorkers {
  /** While rebuilding in place: the head of the log when it began; events up to it are replays. */
  private readonly replayUntil = new Map<string, LogCheckpoint>();
  /** Projections in a blue/green rebuild (their live copy keeps running). */
  private readonly blueGreen = new Set<string>();

  constructor(private readonly host: WorkerHost) {}

  /** The projection's worker, made once, sharing the application's leases with other instances. */
  live(runner: ProjectionRunner): Subscription {
    return this.host.worker(runner.name, () => this.options(runner, runner.name, 'live'));
  }

  /**
   * A separate worker that builds the `next` copy of a blue/green rebuild: it never emits (the
   * live worker does), is not kept, and is not counted among the balanced workers.
   */
  shadow(runner: ProjectionRunner, shadowName: string): Subscription {
    return this.host.worker(shadowName, () => this.options(runner, shadowName, 'next'), {
      balanced: false,
    });
  }

  isRebuilding(name: string): boolean {
    return this.replayUntil.has(name) || this.blueGreen.has(name);
  }

  /** Runs a blue/green rebuild of `name`, reported as `rebuilding` meanwhile. */
  async rebuilding(name: string, work: () => Promise<void>): Promise<void> {
    this.blueGreen.add(name);
    try {
      await work();
    } finally {
      this.blueGreen.delete(name);
    }
  }

  /** Runs an in-place rebuild of `name`: events up to `until` are replays meanwhile. */
  async replaying(name: string, until: LogCheckpoint, work: () => Promise<void>): Promise<void> {
    this.replayUntil.set(name, until);
    try {
      await work();
    } finally {
      this.replayUntil.delete(name);
    }
  }

  private options(
    runner: ProjectionRunner,
    name: string,
    target: 'live' | 'next',
  ): HostedWorkerOptions {
    const shadow = target === 'next';
    return {
      name,
      batchSize: runner.metadata.batchSize,
      pollIntervalMs: runner.metadata.pollIntervalMs,
      retry: { maxAttempts: runner.metadata.maxAttempts },
      types: runner.types,
      logger: new Logger(`Projection ${name}`),
      handler: (events: LogEvent[], ctx: SubscriptionContext) => {
        // Handlers see the state as set earlier in the same batch, not only as committed.
        let state = ctx.state;
        return traceProjectionBatch(name, events, () =>
          runner.apply(events, {
            // The store's unit of work: an EntityManager on the SQL stores, undefined in memory.
            manager: ctx.manager as EntityManager | undefined,
            target,
            isReplaying: (event) => shadow || this.isReplaying(runner.name, event),
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
    };
  }

  private isReplaying(name: string, event: StoredEvent): boolean {
    const until = this.replayUntil.get(name);
    const checkpoint = (event as { checkpoint?: LogCheckpoint }).checkpoint;
    return (
      until !== undefined && checkpoint !== undefined && compareCheckpoints(checkpoint, until) <= 0
    );
  }
}
