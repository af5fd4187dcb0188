import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import type {
  EventSourcingHealthThresholds,
  ResolvedHealthThresholds,
  WorkerHealth,
} from './worker-health.js';

const DEFAULTS: ResolvedHealthThresholds = {
  maxLagEvents: 10_000,
  maxLagMs: 60_000,
  maxHeldBackMs: 60_000,
  maxParkedEvents: Number.POSITIVE_INFINITY,
  maxStalledMs: 30_000,
};

export function resolveHealthThresholds(
  given: EventSourcingHealthThresholds = {},
): ResolvedHealthThresholds {
  for (const [key, value] of Object.entries(given)) {
    if (!(key in DEFAULTS)) {
      throw new InvalidOptionsError(
        key,
        `unknown health threshold; known: ${Object.keys(DEFAULTS).join(', ')}`,
      );
    }
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
      throw new InvalidOptionsError(key, `${String(value)} must be a number >= 0`);
    }
  }
  return { ...DEFAULTS, ...given };
}

/** Why a worker is unhealthy under the thresholds (at `now`), or undefined. */
export function problemOf(
  w: WorkerHealth,
  t: ResolvedHealthThresholds,
  now = Date.now(),
): string | undefined {
  if (w.state === 'failed') return `${w.kind} failed; fix the cause, then start it again`;
  const stalledMs = w.stalledSince ? now - w.stalledSince.getTime() : 0;
  if (stalledMs > t.maxStalledMs) {
    return (
      `forwarder "${w.name}" stalled since ${w.stalledSince!.toISOString()} (${stalledMs} ms, ` +
      `over ${t.maxStalledMs}): the broker does not confirm` +
      (w.lastError ? ` (${w.lastError})` : '') +
      '; events wait in the store and go out, in order, once it is back'
    );
  }
  if (w.heldBackMs > t.maxHeldBackMs) {
    return `held back ${w.heldBackMs} ms by an open transaction (over ${t.maxHeldBackMs})`;
  }
  if (w.lagEvents > t.maxLagEvents) return `${w.lagEvents} events behind (over ${t.maxLagEvents})`;
  if (w.lagMs > t.maxLagMs) return `oldest unhandled event ${w.lagMs} ms old (over ${t.maxLagMs})`;
  if (w.parkedEvents > t.maxParkedEvents) {
    return `${w.parkedEvents} parked events (over ${t.maxParkedEvents})`;
  }
  return undefined;
}
