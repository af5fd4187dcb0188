import type { EventStore } from '../../core/event-store.js';
import type { LogCheckpoint } from '../../core/event-store.types.js';
import type { ProjectionManager } from '../../projection/projection-manager.js';
import { SAGA_SUBSCRIPTION_PREFIX } from '../../saga/saga.constants.js';
import type { SagaManager } from '../../saga/saga-manager.js';
import type { SubscriptionStore } from '../../core/subscription-store.js';
import type { WorkerHealth } from '../../engine/worker-health.js';

export interface WorkerHealthSources {
  projections: ProjectionManager;
  sagas: SagaManager | undefined;
  store: EventStore;
  subscriptions: SubscriptionStore;
  now?: () => number;
}

/** Every async projection and saga of the application, as the health indicator reports it. */
export async function collectWorkerHealth(s: WorkerHealthSources): Promise<WorkerHealth[]> {
  const now = s.now?.() ?? Date.now();
  const result: WorkerHealth[] = [];
  for (const p of await s.projections.status()) {
    if (p.mode === 'inline') continue;
    result.push({
      name: p.name,
      kind: 'projection',
      state: p.state,
      lagEvents: p.lag,
      lagMs: p.lag > 0 ? await oldestUnpassedAgeMs(s.store, p.checkpoint, now) : 0,
      heldBackMs: p.heldBackMs ?? 0,
      parkedEvents: p.parked ?? 0, // partitioned projections: parked keys
      leaseHolder: await leaseHolder(s.subscriptions, p.name, now),
    });
  }
  for (const g of (await s.sagas?.status()) ?? []) {
    result.push({
      name: g.name,
      kind: 'saga',
      state: g.state,
      lagEvents: g.lag,
      lagMs: g.lag > 0 ? await oldestUnpassedAgeMs(s.store, g.checkpoint, now) : 0,
      heldBackMs: g.heldBackMs ?? 0,
      parkedEvents: g.parked.length,
      leaseHolder: await leaseHolder(s.subscriptions, `${SAGA_SUBSCRIPTION_PREFIX}${g.name}`, now),
    });
  }
  return result;
}

/** The age of the first event after the checkpoint that readers can see now. */
export async function oldestUnpassedAgeMs(
  store: EventStore,
  checkpoint: LogCheckpoint | undefined,
  now: number,
): Promise<number> {
  const [next] = (await store.readAll({ after: checkpoint, maxCount: 1 })).events;
  return next ? Math.max(0, now - next.occurredAt.getTime()) : 0;
}

async function leaseHolder(
  subscriptions: SubscriptionStore,
  name: string,
  now: number,
): Promise<string | undefined> {
  const record = await subscriptions.load(name);
  const live = record?.leaseExpiresAt !== undefined && record.leaseExpiresAt.getTime() > now;
  return live ? record.leaseOwner : undefined;
}
