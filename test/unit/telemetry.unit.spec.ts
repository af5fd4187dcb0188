import type { INestApplicationContext } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EventSourcingModule,
  EventStore,
  ProjectionManager,
  SagaManager,
} from 'nestjs-event-sourcing';
import { LagProjection } from '../support/lag.projection.js';
import {
  CountTaskHandler,
  SagaProbe,
  Tally,
  TASK_SAGA,
  TaskSagas,
} from '../support/saga.domain.js';

const spans = new InMemorySpanExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({
  exporter: metricExporter,
  exportIntervalMillis: 3_600_000,
});
const meterProvider = new MeterProvider({ readers: [reader] });
let app: INestApplicationContext;

/** The value of a metric point (sum, gauge, or histogram count) with these attributes. */
async function metric(name: string, attributes: Record<string, unknown> = {}) {
  metricExporter.reset();
  await reader.forceFlush();
  const all: ResourceMetrics[] = metricExporter.getMetrics();
  const found = all
    .flatMap((r) => r.scopeMetrics)
    .flatMap((s) => s.metrics)
    .filter((m) => m.descriptor.name === name)
    .flatMap((m) => m.dataPoints as { attributes: Record<string, unknown>; value: unknown }[])
    .find((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v));
  const value = found?.value as number | { count: number } | undefined;
  return typeof value === 'object' ? value.count : value;
}

function byName(name: string): ReadableSpan[] {
  return spans.getFinishedSpans().filter((s) => s.name === name);
}

describe('OpenTelemetry (SDK with in-memory exporters)', () => {
  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
    );
    metrics.setGlobalMeterProvider(meterProvider);
    const moduleRef = await Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        EventSourcingModule.forRoot({ type: 'memory' }),
        EventSourcingModule.forFeature([Tally]),
      ],
      providers: [SagaProbe, CountTaskHandler, TaskSagas, LagProjection],
    }).compile();
    app = await moduleRef.init();
  });
  afterAll(async () => {
    await app?.close();
    trace.disable();
    metrics.disable();
    context.disable();
  });

  it('a saga command continues the trace of the request whose event caused it', async () => {
    const store = app.get(EventStore);
    const tracer = trace.getTracer('test');
    const request = await tracer.startActiveSpan('POST /tasks', async (span) => {
      const result = await store.appendToStream('task-t1', [
        { type: 'saga_test.task_requested', data: { taskId: 't1', tallyId: 'x1', poison: false } },
      ]);
      span.end();
      return { span, event: result.events[0] };
    });
    expect(request.event.metadata.traceparent).toMatch(
      new RegExp(`^00-${request.span.spanContext().traceId}-[0-9a-f]{16}-01$`),
    );
    await app.get(SagaManager).waitForCatchUp(TASK_SAGA, { timeoutMs: 5_000 });

    const traceId = request.span.spanContext().traceId;
    const [append] = byName('eventstore.append').filter(
      (s) => s.attributes['eventsourcing.stream_id'] === 'task-t1',
    );
    expect(append.parentSpanContext?.spanId).toBe(request.span.spanContext().spanId);
    const [handle] = byName('saga.handle');
    expect(handle.spanContext().traceId).toBe(traceId);
    expect(handle.parentSpanContext?.spanId).toBe(append.spanContext().spanId);
    expect(handle.attributes).toMatchObject({
      'eventsourcing.saga': TASK_SAGA,
      'eventsourcing.event_type': 'saga_test.task_requested',
    });
    const [command] = byName('saga.command');
    expect(command.parentSpanContext?.spanId).toBe(handle.spanContext().spanId);
    expect(command.attributes['eventsourcing.command']).toBe('CountTask');
    const load = byName('aggregate.load').find(
      (s) => s.attributes['eventsourcing.aggregate_id'] === 'x1',
    )!;
    const save = byName('aggregate.save').find(
      (s) => s.attributes['eventsourcing.aggregate_id'] === 'x1',
    )!;
    expect(load.parentSpanContext?.spanId).toBe(command.spanContext().spanId);
    expect(save.parentSpanContext?.spanId).toBe(command.spanContext().spanId);
    const tallyAppend = byName('eventstore.append').find(
      (s) => s.attributes['eventsourcing.stream_id'] === 'tally-x1',
    )!;
    expect(tallyAppend.parentSpanContext?.spanId).toBe(save.spanContext().spanId);
    expect(tallyAppend.spanContext().traceId).toBe(traceId);
    // The event the command saved carries the trace on to whatever handles it next.
    const [tallied] = await store.readStream('tally-x1');
    expect(tallied.metadata.traceparent).toBe(
      `00-${traceId}-${tallyAppend.spanContext().spanId}-01`,
    );
  });

  it('counts appends, projection batches, failures and parked events, and reports lag', async () => {
    const store = app.get(EventStore);
    const appendsBefore =
      (await metric('eventsourcing.append.count', { 'eventsourcing.category': 'ping' })) ?? 0;
    await store.appendToStream('ping-1', [{ type: 'ops.pinged', data: { id: 'a' } }]);
    await store.appendToStream('ping-2', [{ type: 'ops.pinged', data: { id: 'b' } }]);
    expect(await metric('eventsourcing.append.count', { 'eventsourcing.category': 'ping' })).toBe(
      appendsBefore + 2,
    );
    expect(
      await metric('eventsourcing.append.duration', { 'eventsourcing.category': 'ping' }),
    ).toBe(appendsBefore + 2);
    await app.get(ProjectionManager).waitForCatchUp('lag_probe', { timeoutMs: 5_000 });
    expect(
      await metric('eventsourcing.projection.batch.duration', {
        'eventsourcing.projection': 'lag_probe',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(byName('projection.batch').at(-1)?.attributes['eventsourcing.projection']).toBe(
      'lag_probe',
    );

    app.get(SagaProbe).failingTasks.add('t2');
    await store.appendToStream('task-t2', [
      { type: 'saga_test.task_requested', data: { taskId: 't2', tallyId: 'x2', poison: false } },
    ]);
    await app.get(SagaManager).waitForCatchUp(TASK_SAGA, { timeoutMs: 5_000 });
    // maxAttempts 2: two failed attempts, then parked.
    expect(
      await metric('eventsourcing.worker.failures', { 'eventsourcing.worker': TASK_SAGA }),
    ).toBe(2);
    expect(await metric('eventsourcing.saga.parked', { 'eventsourcing.saga': TASK_SAGA })).toBe(1);
    expect(
      await metric('eventsourcing.saga.parked_events', { 'eventsourcing.worker': TASK_SAGA }),
    ).toBe(1);
    expect(
      await metric('eventsourcing.worker.lag.events', { 'eventsourcing.worker': 'lag_probe' }),
    ).toBe(0);
    expect(
      await metric('eventsourcing.worker.lag.ms', { 'eventsourcing.worker': 'lag_probe' }),
    ).toBe(0);
    expect(
      await metric('eventsourcing.worker.held_back.ms', { 'eventsourcing.worker': TASK_SAGA }),
    ).toBe(0);

    await app.get(ProjectionManager).stop('lag_probe');
    await store.appendToStream('ping-3', [{ type: 'ops.pinged', data: { id: 'c' } }]);
    await new Promise((r) => setTimeout(r, 30));
    expect(
      await metric('eventsourcing.worker.lag.events', { 'eventsourcing.worker': 'lag_probe' }),
    ).toBe(1);
    expect(
      await metric('eventsourcing.worker.lag.ms', { 'eventsourcing.worker': 'lag_probe' }),
    ).toBeGreaterThanOrEqual(30);
  });
});
