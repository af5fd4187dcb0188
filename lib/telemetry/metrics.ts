import type { Counter, Histogram, Meter, MeterProvider } from '@opentelemetry/api';
import { otel } from './otel-api.js';
import { SCOPE } from './tracing.js';

interface Instruments {
  meter: Meter;
  appends: Counter;
  appendDuration: Histogram;
  batchDuration: Histogram;
  failures: Counter;
  parked: Counter;
}

let cached: { provider: MeterProvider; instruments: Instruments } | undefined;

/**
 * The library's instruments on the global meter provider, made again when the application
 * registers another provider (the metrics API has no proxy that would follow it), else undefined.
 */
export function instruments(): Instruments | undefined {
  if (!otel) return undefined;
  const provider = otel.metrics.getMeterProvider();
  if (cached?.provider === provider) return cached.instruments;
  const meter = provider.getMeter(SCOPE);
  const made: Instruments = {
    meter,
    appends: meter.createCounter('eventsourcing.append.count', {
      description: 'Appends that committed events (or joined a transaction)',
    }),
    appendDuration: meter.createHistogram('eventsourcing.append.duration', {
      description: 'Time an append took',
      unit: 'ms',
    }),
    batchDuration: meter.createHistogram('eventsourcing.projection.batch.duration', {
      description: 'Time a projection batch handler took',
      unit: 'ms',
    }),
    failures: meter.createCounter('eventsourcing.worker.failures', {
      description: 'Failed attempts of projection batches and saga events',
    }),
    parked: meter.createCounter('eventsourcing.saga.parked', {
      description: 'Saga events parked after their last attempt',
    }),
  };
  cached = { provider, instruments: made };
  return made;
}
