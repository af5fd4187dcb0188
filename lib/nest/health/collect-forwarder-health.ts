import { positionOf } from '../../core/checkpoint.js';
import type { EventStore } from '../../core/event-store.js';
import { leaseHolderOf } from '../../core/lease-holder.js';
import type { SubscriptionStore } from '../../core/subscription-store.js';
import type { WorkerEnvironment } from '../../engine/worker-environment.js';
import type { WorkerHealth } from '../../engine/worker-health.js';
import type { EventForwarders } from '../../forwarding/event-forwarders.js';
import { oldestUnpassedAgeMs } from './collect-worker-health.js';

export interface ForwarderHealthSources {
  forwarders: EventForwarders;
  store: EventStore;
  subscriptions: SubscriptionStore;
  environment: WorkerEnvironment;
  now?: () => number;
}

/**
 * Every forwarder of the application, as the health indicator reports it. The state (`stalled`,
 * since when, the broker's error) is this process's: only the instance holding a forwarder's lease
 * publishes, so only it sees a stall; the position and lag are the stored ones (any instance).
 */
export async function collectForwarderHealth(s: ForwarderHealthSources): Promise<WorkerHealth[]> {
  const now = s.now?.() ?? Date.now();
  const statuses = s.forwarders.status();
  if (statuses.length === 0) return [];
  const [head, heldBackMs] = await Promise.all([
    s.store.headCheckpoint(),
    s.environment.heldBackMs(),
  ]);
  const result: WorkerHealth[] = [];
  for (const f of statuses) {
    const record = await s.subscriptions.load(f.subscription);
    const checkpoint = record?.checkpoint ?? f.checkpoint;
    const lag = Math.max(0, positionOf(head) - positionOf(checkpoint));
    result.push({
      name: f.name,
      kind: 'forwarder',
      state: record?.state === 'failed' ? 'failed' : f.state,
      lagEvents: lag,
      lagMs: lag > 0 ? await oldestUnpassedAgeMs(s.store, checkpoint, now) : 0,
      heldBackMs: heldBackMs ?? 0,
      parkedEvents: 0,
      leaseHolder: leaseHolderOf(record, now),
      ...(f.stalledSince ? { stalledSince: f.stalledSince } : {}),
      ...(f.lastError ? { lastError: f.lastError } : {}),
    });
  }
  return result;
}
