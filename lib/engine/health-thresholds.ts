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

/** Why a worker is unhealthy under the thresholds, or undefined. */
export function problemOf(w: WorkerHealth, t: ResolvedHealthThresholds): string | undefined {
  if (w.state === 'failed') return `${w.kind} failed; fix the cause, then start it again`;
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
