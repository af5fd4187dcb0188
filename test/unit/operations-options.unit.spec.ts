import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from 'nestjs-event-sourcing';
import { problemOf, resolveHealthThresholds } from '../../lib/engine/health-thresholds.js';
import type { WorkerHealth } from '../../lib/engine/worker-health.js';
import { validateOptions } from '../../lib/nest/event-sourcing.options.js';

const healthy: WorkerHealth = {
  name: 'orders',
  kind: 'projection',
  state: 'running',
  lagEvents: 0,
  lagMs: 0,
  heldBackMs: 0,
  parkedEvents: 0,
  leaseHolder: 'host:1:abc',
};

describe('operations options', () => {
  it.each([0, -5, 1.5, '30s', Number.NaN])('refuses heldBackWarningMs %j at startup', (value) => {
    const attempt = () => validateOptions({ type: 'memory', heldBackWarningMs: value });
    expect(attempt).toThrow(InvalidOptionsError);
    expect(attempt).toThrow(/"heldBackWarningMs": .* must be a whole number of milliseconds >= 1/);
  });

  it('accepts a whole number of milliseconds', () => {
    expect(validateOptions({ type: 'memory', heldBackWarningMs: 5000 }).heldBackWarningMs).toBe(
      5000,
    );
  });

  it('refuses unknown or negative health thresholds, naming them', () => {
    expect(() => resolveHealthThresholds({ maxLag: 5 } as never)).toThrow(
      /"maxLag": unknown health threshold; known: maxLagEvents, maxLagMs, maxHeldBackMs, maxParkedEvents/,
    );
    expect(() => resolveHealthThresholds({ maxLagMs: -1 })).toThrow(
      /"maxLagMs": -1 must be a number >= 0/,
    );
  });

  it('a worker is down when failed, or past a threshold, and says which', () => {
    const limits = resolveHealthThresholds({
      maxLagEvents: 100,
      maxLagMs: 1000,
      maxHeldBackMs: 500,
      maxParkedEvents: 2,
    });
    expect(problemOf(healthy, limits)).toBeUndefined();
    expect(problemOf({ ...healthy, state: 'failed' }, limits)).toBe(
      'projection failed; fix the cause, then start it again',
    );
    expect(problemOf({ ...healthy, heldBackMs: 501 }, limits)).toBe(
      'held back 501 ms by an open transaction (over 500)',
    );
    expect(problemOf({ ...healthy, heldBackMs: 500 }, limits)).toBeUndefined();
    expect(problemOf({ ...healthy, lagEvents: 101 }, limits)).toBe('101 events behind (over 100)');
    expect(problemOf({ ...healthy, lagMs: 1001 }, limits)).toBe(
      'oldest unhandled event 1001 ms old (over 1000)',
    );
    expect(problemOf({ ...healthy, kind: 'saga', parkedEvents: 3 }, limits)).toBe(
      '3 parked events (over 2)',
    );
    expect(
      problemOf({ ...healthy, kind: 'saga', parkedEvents: 3 }, resolveHealthThresholds()),
    ).toBeUndefined();
  });

  it('a forwarder is down once stalled longer than maxStalledMs (30 s by default), saying since when', () => {
    const now = Date.parse('2026-12-02T00:40:00Z');
    const forwarder = {
      ...healthy,
      name: 'bank',
      kind: 'forwarder' as const,
      state: 'stalled',
      lastError: 'connection refused',
    };
    const since = (ms: number) => new Date(now - ms);
    expect(
      problemOf({ ...forwarder, stalledSince: since(30_000) }, resolveHealthThresholds(), now),
    ).toBeUndefined();
    expect(
      problemOf({ ...forwarder, stalledSince: since(30_001) }, resolveHealthThresholds(), now),
    ).toBe(
      'forwarder "bank" stalled since 2026-12-02T00:39:29.999Z (30001 ms, over 30000): the broker ' +
        'does not confirm (connection refused); events wait in the store and go out, in order, once ' +
        'it is back',
    );
    const limits = resolveHealthThresholds({ maxStalledMs: 1000 });
    expect(problemOf({ ...forwarder, stalledSince: since(1001) }, limits, now)).toMatch(
      /^forwarder "bank" stalled since .* \(1001 ms, over 1000\)/,
    );
    expect(problemOf({ ...forwarder, state: 'forwarding' }, limits, now)).toBeUndefined();
  });
});
