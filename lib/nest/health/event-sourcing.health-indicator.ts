import { Injectable, Optional } from '@nestjs/common';
import { EventStore } from '../../core/event-store.js';
import { ProjectionManager } from '../../projection/projection-manager.js';
import { SagaManager } from '../../saga/saga-manager.js';
import { SubscriptionStore } from '../../core/subscription-store.js';
import { collectWorkerHealth } from './collect-worker-health.js';
import { problemOf, resolveHealthThresholds } from '../../engine/health-thresholds.js';
import {
  WorkerHealthSource,
  type EventSourcingHealthThresholds,
  type WorkerHealth,
} from '../../engine/worker-health.js';

/** The result shape `@nestjs/terminus` expects from an indicator (kept here: terminus is optional). */
export type EventSourcingHealthResult<Key extends string = string> = Record<
  Key,
  { status: 'up' | 'down'; workers: Record<string, Omit<WorkerHealth, 'name'>> }
>;

/**
 * A `@nestjs/terminus` health indicator for the projections and sagas: `down` when one has failed,
 * or its lag or the time a transaction has held it back passes a threshold; the details list every
 * worker. Needs no import of terminus itself:
 *
 * ```ts
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.eventSourcing.isHealthy('event-sourcing')]); }
 * ```
 */
@Injectable()
export class EventSourcingHealthIndicator extends WorkerHealthSource {
  constructor(
    private readonly projections: ProjectionManager,
    private readonly store: EventStore,
    private readonly subscriptions: SubscriptionStore,
    @Optional() private readonly sagas?: SagaManager,
  ) {
    super();
  }

  async isHealthy<const Key extends string>(
    key: Key,
    thresholds: EventSourcingHealthThresholds = {},
  ): Promise<EventSourcingHealthResult<Key>> {
    const limits = resolveHealthThresholds(thresholds);
    const workers: Record<string, Omit<WorkerHealth, 'name'>> = {};
    let down = false;
    for (const { name, ...worker } of await this.workers()) {
      const problem = problemOf({ name, ...worker }, limits);
      down ||= problem !== undefined;
      workers[`${worker.kind}:${name}`] = problem ? { ...worker, problem } : worker;
    }
    return { [key]: { status: down ? 'down' : 'up', workers } } as EventSourcingHealthResult<Key>;
  }

  /** Every async projection and saga with its state, lag, held-back time and lease holder. */
  workers(): Promise<WorkerHealth[]> {
    return collectWorkerHealth({
      projections: this.projections,
      sagas: this.sagas,
      store: this.store,
      subscriptions: this.subscriptions,
    });
  }
}
