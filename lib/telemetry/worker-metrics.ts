import {
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { BatchObservableCallback, Observable } from '@opentelemetry/api';
import { WorkerHealthSource } from '../engine/worker-health.js';
import { instruments } from './metrics.js';

/**
 * Observable gauges of every projection and saga (lag in events and ms, held-back ms, parked
 * events), read from the health indicator (`WorkerHealthSource`) when the application's metric
 * reader collects. Needs a meter provider registered before the application starts; without
 * `@opentelemetry/api`, nothing.
 */
@Injectable()
export class WorkerMetrics implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private remove: (() => void) | undefined;

  constructor(private readonly health: WorkerHealthSource) {}

  onApplicationBootstrap(): void {
    const m = instruments();
    if (!m) return;
    const lagEvents = m.meter.createObservableGauge('eventsourcing.worker.lag.events', {
      description: 'Events between a worker checkpoint and the head of the log',
    });
    const lagMs = m.meter.createObservableGauge('eventsourcing.worker.lag.ms', {
      description: 'Age of the oldest event a worker has not passed',
      unit: 'ms',
    });
    const heldBack = m.meter.createObservableGauge('eventsourcing.worker.held_back.ms', {
      description: 'How long a transaction has held the worker back',
      unit: 'ms',
    });
    const parked = m.meter.createObservableGauge('eventsourcing.saga.parked_events', {
      description: 'Saga events parked, waiting for a retry',
    });
    const observables: Observable[] = [lagEvents, lagMs, heldBack, parked];
    const callback: BatchObservableCallback = async (result) => {
      for (const w of await this.health.workers()) {
        const labels = { 'eventsourcing.worker': w.name, 'eventsourcing.kind': w.kind };
        result.observe(lagEvents, w.lagEvents, labels);
        result.observe(lagMs, w.lagMs, labels);
        result.observe(heldBack, w.heldBackMs, labels);
        if (w.kind === 'saga') result.observe(parked, w.parkedEvents, labels);
      }
    };
    m.meter.addBatchObservableCallback(callback, observables);
    this.remove = () => m.meter.removeBatchObservableCallback(callback, observables);
  }

  beforeApplicationShutdown(): void {
    this.remove?.();
  }
}
