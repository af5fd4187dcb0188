import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SagaManager, TypeOrmEventStore, type StoredEvent } from 'nestjs-event-sourcing';
import { TypeOrmSubscriptionStore } from '../../lib/sql/typeorm-subscription-store.js';
import { positionOf } from '../../lib/core/checkpoint.js';
import { removeCompiledSagaChild, startSagaChild } from '../support/saga-child-process.js';
import { SagaProbe, sagaTestModule, TASK_SAGA } from '../support/saga.domain.js';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js';

const SUBSCRIPTION = `saga:${TASK_SAGA}`;

afterAll(() => removeCompiledSagaChild());

describe.each(['sqlite', 'postgres', 'mariadb'] as const)('durable sagas on %s', (kind) => {
  let db: TestDatabase;
  let writer: TypeOrmEventStore;
  let subscriptions: TypeOrmSubscriptionStore;
  let app: INestApplicationContext | undefined;
  let sagas: SagaManager;
  let probe: SagaProbe;

  async function boot() {
    const moduleRef = await Test.createTestingModule({
      imports: [sagaTestModule({ dataSource: db.dataSource, schema: db.schema })],
    }).compile();
    app = await moduleRef.init();
    sagas = app.get(SagaManager);
    probe = app.get(SagaProbe);
  }

  /** Appends one TaskRequested per task, each in its own stream, with its own correlation id. */
  async function requestTasks(tallyId: string, count: number, poison: number[] = []) {
    const stored: StoredEvent[] = [];
    for (let i = 0; i < count; i++) {
      const taskId = `${tallyId}.${i}`;
      const result = await writer.appendToStream(
        `task-${taskId}`,
        [
          {
            type: 'saga_test.task_requested',
            data: { taskId, tallyId, poison: poison.includes(i) },
          },
        ],
        { metadata: { correlationId: `corr-${taskId}` } },
      );
      stored.push(...result.events);
    }
    return stored;
  }

  /** What the command handler did: the Tally's events. */
  async function counted(tallyId: string) {
    const events = await writer.readStream(`tally-${tallyId}`);
    return events.map((e) => ({ ...(e.data as { taskId: string; by: string }), event: e }));
  }

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    writer = new TypeOrmEventStore(db.dataSource, { schema: db.schema });
    await writer.migrate();
    subscriptions = new TypeOrmSubscriptionStore(db.dataSource, { schema: db.schema });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('loses nothing when its process is killed mid-batch, and the de-duplicated handler counts each event once', async () => {
    const tasks = await requestTasks('crash', 30);
    const child = await startSagaChild({
      options: db.options,
      schema: db.schema,
      owner: 'child',
      crashAfter: 15, // in the middle of the second batch of 10
    });
    await child.printed('crash-point');
    expect(await child.kill()).toBe('SIGKILL');
    expect(await counted('crash')).toHaveLength(15);
    const record = await subscriptions.load(SUBSCRIPTION);
    expect(positionOf(record?.checkpoint)).toBe(tasks[9].globalPosition);

    await boot(); // takes over once the dead child's lease expires, from the checkpoint
    await sagas.waitForCatchUp(TASK_SAGA, { timeoutMs: 20_000 });
    const rows = await counted('crash');
    expect(rows).toHaveLength(30);
    expect(rows.map((r) => r.taskId).sort()).toEqual(tasks.map((_, i) => `crash.${i}`).sort());
    expect(rows.slice(0, 15).every((r) => r.by === 'child')).toBe(true);
    expect(rows.slice(15).every((r) => r.by === 'main')).toBe(true);
    // Events 11 to 15 were handled twice; their second commands changed nothing.
    expect(probe.executions).toBe(20);
    expect((await sagas.status())[0].parked).toEqual([]);
  });

  it('runs one saga runner at a time across processes and fails over when the owner dies', async () => {
    await sagas.stop(TASK_SAGA); // hands the lease over to a child process
    const child = await startSagaChild({ options: db.options, schema: db.schema, owner: 'other' });
    await child.printed('ready');
    await waitFor(async () => (await subscriptions.load(SUBSCRIPTION))?.leaseOwner !== undefined);
    await sagas.start(TASK_SAGA); // stands by
    const executions = probe.executions;
    await requestTasks('pair', 10);
    await sagas.waitForCatchUp(TASK_SAGA, { timeoutMs: 20_000 });
    expect((await sagas.status())[0].isLeaseOwner).toBe(false);
    expect(probe.executions).toBe(executions);

    expect(await child.kill()).toBe('SIGKILL'); // dies holding the lease
    const died = Date.now();
    const later = await requestTasks('pair-late', 10);
    await sagas.waitForCatchUp(TASK_SAGA, { timeoutMs: 20_000 });
    expect(Date.now() - died).toBeGreaterThanOrEqual(500); // it waited for the lease to expire
    expect((await sagas.status())[0].isLeaseOwner).toBe(true);
    const before = await counted('pair');
    const after = await counted('pair-late');
    expect(before.map((r) => r.by)).toEqual(Array.from({ length: 10 }, () => 'other'));
    expect(after.map((r) => r.by)).toEqual(Array.from({ length: 10 }, () => 'main'));
    expect(after.map((r) => r.taskId)).toEqual(later.map((_, i) => `pair-late.${i}`));
  });

  it('parks an event its saga throws on, handles the next ones, and handles it when retried', async () => {
    probe.poisonThrows = true;
    const tasks = await requestTasks('errors', 3, [1]);
    await sagas.waitForCatchUp(TASK_SAGA, { timeoutMs: 20_000 });
    expect((await counted('errors')).map((r) => r.taskId)).toEqual(['errors.0', 'errors.2']);
    const status = (await sagas.status()).find((s) => s.name === TASK_SAGA)!;
    expect(status.state).toBe('running');
    expect(status.parked).toHaveLength(1);
    expect(status.parked[0]).toMatchObject({
      saga: TASK_SAGA,
      eventId: tasks[1].eventId,
      eventType: 'saga_test.task_requested',
      streamId: 'task-errors.1',
      position: tasks[1].globalPosition,
      attempts: 2,
      error: 'poison task errors.1',
    });
    expect(status.parked[0].failedAt).toBeInstanceOf(Date);

    probe.poisonThrows = false;
    expect(await sagas.retry(TASK_SAGA)).toEqual({ succeeded: [tasks[1].eventId], failed: [] });
    expect((await counted('errors')).map((r) => r.taskId)).toEqual([
      'errors.0',
      'errors.2',
      'errors.1',
    ]);
    expect((await sagas.status())[0].parked).toEqual([]);
  });

  it('handles the events appended while the application was down once it is back', async () => {
    await app!.close();
    app = undefined;
    const tasks = await requestTasks('offline', 5);
    await sleep(100);
    expect(await counted('offline')).toEqual([]);
    await boot();
    await sagas.waitForCatchUp(TASK_SAGA, { timeoutMs: 20_000 });
    const rows = await counted('offline');
    expect(rows.map((r) => r.taskId)).toEqual(tasks.map((_, i) => `offline.${i}`));
    // Each command carried the saga's deterministic id, and the event's correlation id.
    expect(
      rows.map(({ event }) => [event.metadata.causationId, event.metadata.correlationId]),
    ).toEqual(tasks.map((task, i) => [`${TASK_SAGA}:${task.eventId}:0`, `corr-offline.${i}`]));
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}
