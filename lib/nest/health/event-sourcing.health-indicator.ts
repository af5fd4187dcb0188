import { Injectable, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { EventStore } from '../../core/event-store.js';
import { InstanceRegistry } from '../../core/instance-registry.js';
import { ProjectionManager } from '../../projection/projection-manager.js';
import { SagaManager } from '../../saga/saga-manager.js';
import { SubscriptionStore } from '../../core/subscription-store.js';
import { EventForwarders } from '../../forwarding/event-forwarders.js';
import { WorkerEnvironment } from '../../engine/worker-environment.js';
import { collectWorkerHealth } from './collect-worker-health.js';
import { collectForwarderHealth } from './collect-forwarder-health.js';
import { problemOf, resolveHealthThresholds } from '../../engine/health-thresholds.js';
import {
  WorkerHealthSource,
  type EventSourcingHealthThresholds,
  type WorkerHealth,
} from '../../engine/worker-health.js';

/** The result shape `@nestjs/terminus` expects from an indicator (kept here: terminus is optional). */
export type EventSourcingHealthResult<Key extends string = string> = Record<
  Key,
  {
    status: 'up' | 'down';
    /**
     * This instance (the lease owner id its workers use) and how many instances of the
     * application have a live heartbeat now (0 when this one runs no workers and none does).
     */
    instance: { id: string; liveInstances: number };
    workers: Record<string, Omit<WorkerHealth, 'name'>>;
  }
>;

/**
 * A `@nestjs/terminus` health indicator for the projections, sagas and forwarders: `down` when one
 * has failed, its lag or the time a transaction has held it back passes a threshold, or a
 * forwarder has been stalled (its broker down) too long; the details list every worker and this
 * instance. Needs no import of terminus itself:
 *
 * ```ts
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.eventSourcing.isHealthy('event-sourcing')]); }
 * ```
 */
@Injectable()
export class EventSourcingHealthIndicator extends WorkerHealthSource {
  private forwarders: EventForwarders | null | undefined;

  constructor(
    private readonly projections: ProjectionManager,
    private readonly store: EventStore,
    private readonly subscriptions: SubscriptionStore,
    private readonly instances: InstanceRegistry,
    private readonly environment: WorkerEnvironment,
    private readonly moduleRef: ModuleRef,
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
    const [all, live] = await Promise.all([this.workers(), this.instances.list()]);
    const now = Date.now();
    for (const { name, ...worker } of all) {
      const problem = problemOf({ name, ...worker }, limits, now);
      down ||= problem !== undefined;
      workers[`${worker.kind}:${name}`] = problem ? { ...worker, problem } : worker;
    }
    const instance = { id: this.instances.instanceId, liveInstances: live.length };
    return {
      [key]: { status: down ? 'down' : 'up', instance, workers },
    } as EventSourcingHealthResult<Key>;
  }

  /** Every async projection, saga and forwarder with its state, lag and lease holder. */
  async workers(): Promise<WorkerHealth[]> {
    const forwarders = this.eventForwarders();
    const [workers, forwarded] = await Promise.all([
      collectWorkerHealth({
        projections: this.projections,
        sagas: this.sagas,
        store: this.store,
        subscriptions: this.subscriptions,
      }),
      forwarders
        ? collectForwarderHealth({
            forwarders,
            store: this.store,
            subscriptions: this.subscriptions,
            environment: this.environment,
          })
        : [],
    ]);
    return [...workers, ...forwarded];
  }

  /**
   * The forwarders, when the application imports `EventForwardingModule` (a module of its own,
   * which this global one cannot inject from: looked up once through Nest's public ModuleRef).
   */
  private eventForwarders(): EventForwarders | undefined {
    if (this.forwarders === undefined) {
      try {
        this.forwarders = this.moduleRef.get(EventForwarders, { strict: false });
      } catch {
        this.forwarders = null; // no forwarding module: nothing to report
      }
    }
    return this.forwarders ?? undefined;
  }
}
