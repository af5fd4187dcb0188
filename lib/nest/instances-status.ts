import { Injectable, Optional } from '@nestjs/common';
import { InstanceRegistry } from '../core/instance-registry.js';
import { leaseHolderOf } from '../core/lease-holder.js';
import { SubscriptionStore, type SubscriptionRecord } from '../core/subscription-store.js';
import type { SubscriptionRunState } from '../core/subscription-store.js';
import { ProjectionManager } from '../projection/projection-manager.js';
import { SAGA_SUBSCRIPTION_PREFIX, SCHEDULER_LEASE } from '../saga/saga.constants.js';

/** Forwarders keep their checkpoint and lease as subscription `forward:<name>`. */
export const FORWARDER_SUBSCRIPTION_PREFIX = 'forward:';

/** What a lease (a row of the subscriptions table) belongs to, told by its name. */
export type LeasedWorkerKind = 'projection' | 'saga' | 'forwarder' | 'scheduler';

/** One worker's lease, as the subscriptions table stores it. */
export interface WorkerLease {
  /** The stored subscription name, e.g. `balances`, `saga:transfer`, `forward:bank`. */
  subscription: string;
  kind: LeasedWorkerKind;
  /** The worker's own name (the subscription name without its kind's prefix). */
  name: string;
  /** The run state its last runner stored. */
  state: SubscriptionRunState;
  /** When the lease ends unless its holder renews it (undefined: nobody holds it). */
  expiresAt: Date | undefined;
}

/** One instance of the application and the leases it holds. */
export interface InstanceStatus {
  instanceId: string;
  /**
   * `live`: its heartbeat is recent; `gone`: it stopped beating (killed, cut off): its leases
   * expire by themselves and the live instances take them; `unregistered`: a lease holder with no
   * heartbeat row (a runner started outside the module, or its row was removed).
   */
  state: 'live' | 'gone' | 'unregistered';
  /** Its last heartbeat (by its own clock), and how long ago that was. */
  heartbeatAt: Date | undefined;
  heartbeatAgeMs: number | undefined;
  /** This process (false in the operator CLI, which never registers). */
  isThisInstance: boolean;
  /** The leases it holds now, by kind then name. */
  leases: WorkerLease[];
}

/** Which instance holds what, read from the database (so the same from every process). */
export interface InstancesReport {
  /** The id of this process (the lease owner id its workers use). */
  thisInstance: string;
  /** Live instances first, then gone ones, then unregistered holders; by id within each. */
  instances: InstanceStatus[];
  /** Workers whose lease nobody holds now (stopped, failed, or waiting for a taker). */
  unheld: WorkerLease[];
}

const KIND_ORDER: LeasedWorkerKind[] = ['projection', 'saga', 'forwarder', 'scheduler'];
const STATE_ORDER: InstanceStatus['state'][] = ['live', 'gone', 'unregistered'];

/**
 * Which instance of the application holds which worker (projections, sagas, forwarders, the
 * scheduler of timeouts): the heartbeat rows of the instances joined with the lease owner column of
 * the subscriptions table. Backs the operator CLI's `instances` command; inject it for a status
 * page of your own.
 */
@Injectable()
export class InstancesStatus {
  constructor(
    private readonly registry: InstanceRegistry,
    private readonly subscriptions: SubscriptionStore,
    @Optional() private readonly projections?: ProjectionManager,
  ) {}

  async report(now = Date.now()): Promise<InstancesReport> {
    const [known, records] = await Promise.all([
      this.registry.list({ includeGone: true }),
      this.subscriptions.list(),
    ]);
    const byId = new Map<string, InstanceStatus>();
    for (const i of known) {
      byId.set(i.instanceId, {
        instanceId: i.instanceId,
        state: i.live ? 'live' : 'gone',
        heartbeatAt: i.heartbeatAt,
        heartbeatAgeMs: Math.max(0, now - i.heartbeatAt.getTime()),
        isThisInstance: i.instanceId === this.registry.instanceId,
        leases: [],
      });
    }
    // Inline projections have a row (their state) but no lease: they run inside each append.
    const inline = new Set(this.projections?.inline().map((p) => p.name));
    const unheld: WorkerLease[] = [];
    for (const record of records.filter((r) => !inline.has(r.name)).sort(byKindThenName)) {
      const holder = leaseHolderOf(record, now);
      const lease = workerLease(record, holder === undefined ? undefined : record.leaseExpiresAt);
      if (holder === undefined) {
        unheld.push(lease);
        continue;
      }
      let instance = byId.get(holder);
      if (!instance) {
        instance = unregistered(holder, holder === this.registry.instanceId);
        byId.set(holder, instance);
      }
      instance.leases.push(lease);
    }
    const instances = [...byId.values()].sort(
      (a, b) =>
        STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state) ||
        a.instanceId.localeCompare(b.instanceId),
    );
    return { thisInstance: this.registry.instanceId, instances, unheld };
  }
}

/** The kind of worker a stored subscription belongs to, and its name without the prefix. */
export function leasedWorkerOf(subscription: string): { kind: LeasedWorkerKind; name: string } {
  if (subscription === SCHEDULER_LEASE) return { kind: 'scheduler', name: subscription };
  if (subscription.startsWith(SAGA_SUBSCRIPTION_PREFIX)) {
    return { kind: 'saga', name: subscription.slice(SAGA_SUBSCRIPTION_PREFIX.length) };
  }
  if (subscription.startsWith(FORWARDER_SUBSCRIPTION_PREFIX)) {
    return { kind: 'forwarder', name: subscription.slice(FORWARDER_SUBSCRIPTION_PREFIX.length) };
  }
  return { kind: 'projection', name: subscription };
}

function workerLease(record: SubscriptionRecord, expiresAt: Date | undefined): WorkerLease {
  return {
    subscription: record.name,
    ...leasedWorkerOf(record.name),
    state: record.state,
    expiresAt,
  };
}

function unregistered(instanceId: string, isThisInstance: boolean): InstanceStatus {
  return {
    instanceId,
    state: 'unregistered',
    heartbeatAt: undefined,
    heartbeatAgeMs: undefined,
    isThisInstance,
    leases: [],
  };
}

function byKindThenName(a: SubscriptionRecord, b: SubscriptionRecord): number {
  const ka = leasedWorkerOf(a.name);
  const kb = leasedWorkerOf(b.name);
  return (
    KIND_ORDER.indexOf(ka.kind) - KIND_ORDER.indexOf(kb.kind) || ka.name.localeCompare(kb.name)
  );
}
