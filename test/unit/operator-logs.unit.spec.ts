import type { INestApplicationContext } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EventSourcingModule,
  EventStore,
  InMemoryEventStore,
  ProjectionManager,
  SagaManager,
} from 'nestjs-event-sourcing';
import { InMemorySubscriptionStore } from '../../lib/core/in-memory/in-memory-subscription-store.js';
import { Subscription } from '../../lib/engine/subscription.js';
import { captureLogs } from '../support/captured-logs.js';
import {
  CountTaskHandler,
  SagaProbe,
  Tally,
  TASK_SAGA,
  TaskSagas,
} from '../support/saga.domain.js';
import { Pinged } from '../support/lag.projection.js';
import { Projection, ProjectionHandler } from 'nestjs-event-sourcing';

@Projection('picky', { pollIntervalMs: 10, maxAttempts: 2 })
class PickyProjection {
  @ProjectionHandler(Pinged)
  pinged(event: Pinged) {
    if (event.id === 'bad') throw new Error('cannot project ping bad');
  }
}

const logs = captureLogs();
let app: INestApplicationContext | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
  logs.lines.length = 0;
});

async function boot(providers: unknown[]) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      EventSourcingModule.forRoot({ type: 'memory' }),
      EventSourcingModule.forFeature([Tally]),
    ],
    providers: providers as never[],
  })
    .setLogger(logs.logger)
    .compile();
  app = await moduleRef.init();
  return app;
}

async function until(check: () => boolean, limitMs = 5_000) {
  const since = Date.now();
  while (!check() && Date.now() - since < limitMs) await sleep(10);
}

describe('what an operator reads in the log', () => {
  it('a failed projection names the event that failed (type, id, stream, position) with the stack', async () => {
    const nest = await boot([PickyProjection]);
    const store = nest.get(EventStore);
    await store.appendToStream('ping-1', [
      { type: 'ops.pinged', data: { id: 'good' } },
      { type: 'ops.pinged', data: { id: 'bad' } },
    ]);
    const bad = (await store.readStream('ping-1'))[1];
    const error = () => logs.lines.find((l) => l.level === 'error');
    await until(() => error() !== undefined);
    expect(error()).toMatchObject({
      context: 'Projection picky',
      message:
        `failed on event ${bad.eventId} (ops.pinged, stream ping-1, position ${bad.globalPosition}) ` +
        `after 2 attempts: cannot project ping bad; fix it, then start() the subscription again`,
    });
    expect(error()?.stack).toMatch(/^Error: cannot project ping bad\n\s+at .*pinged/);
    expect((await nest.get(ProjectionManager).status())[0].state).toBe('failed');
  });

  it('a parked saga event is logged with its type, id, stream, position and the stack', async () => {
    const nest = await boot([SagaProbe, CountTaskHandler, TaskSagas]);
    nest.get(SagaProbe).failingTasks.add('t9');
    const [event] = (
      await nest
        .get(EventStore)
        .appendToStream('task-t9', [
          { type: 'saga_test.task_requested', data: { taskId: 't9', tallyId: 'x', poison: false } },
        ])
    ).events;
    await nest.get(SagaManager).waitForCatchUp(TASK_SAGA, { timeoutMs: 10_000 });
    const parked = logs.lines.filter(
      (l) => l.level === 'error' && l.context === `Saga ${TASK_SAGA}`,
    );
    expect(parked).toHaveLength(1);
    expect(parked[0].message).toMatch(
      new RegExp(
        `^parked event ${event.eventId} \\(saga_test\\.task_requested, stream task-t9, position ` +
          `${event.globalPosition}\\) after \\d+ attempts: task t9 refused; going on`,
      ),
    );
    expect(parked[0].stack).toMatch(/^Error: task t9 refused\n\s+at /);
  });

  it("a runner waiting for another process's lease says so once, naming the holder", async () => {
    const eventStore = new InMemoryEventStore();
    const subscriptionStore = new InMemorySubscriptionStore();
    const said: string[] = [];
    const options = (owner: string, log: (m: string) => void) => ({
      name: 'shared',
      eventStore,
      subscriptionStore,
      owner,
      pollIntervalMs: 10,
      handler: async () => undefined,
      logger: { log, warn: () => undefined, error: () => undefined },
    });
    const holder = new Subscription(options('process-a', () => undefined));
    const standby = new Subscription(options('process-b', (m) => said.push(m)));
    await holder.start();
    await holder.waitForCatchUp({ timeoutMs: 2_000 });
    await standby.start();
    await sleep(300); // about 30 polls of the standby
    expect(said.filter((m) => m.startsWith('waiting for the lease'))).toEqual([
      expect.stringMatching(
        /^waiting for the lease held by "process-a" \(lease until \d{4}-.*Z\); "process-b" stands by/,
      ),
    ]);
    await holder.stop();
    await until(() => standby.status().isLeaseOwner);
    expect(standby.status().isLeaseOwner).toBe(true);
    await standby.stop();
  });
});
