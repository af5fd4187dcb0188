import { Injectable, type INestApplicationContext } from '@nestjs/common';
import {
  CommandBus,
  CommandHandler,
  CqrsModule,
  ofType,
  type ICommandHandler,
  type IEvent,
} from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { mergeMap, of, type Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Clock,
  DomainCommand,
  DurableSaga,
  EventRegistry,
  EventSourcedSaga,
  EventSourcingModule,
  EventStore,
  InMemoryScheduledMessageStore,
  InMemorySubscriptionStore,
  InjectAggregateRepository,
  InvalidOptionsError,
  ManualClock,
  ProcessManager,
  SagaHandler,
  SagaManager,
  SagaStart,
  SubscriptionStore,
  getAggregateRepositoryToken,
  parseDuration,
  type AggregateRepository,
  type SagaContext,
  type ScheduledMessage,
} from 'nestjs-event-sourcing';
import { getDomainEventMetadata } from '../../lib/serialization/domain-event.decorator.js';
import { setCommandId } from '../../lib/core/message-context.js';
import { MessageScheduler } from '../../lib/saga/message-scheduler.js';
import {
  CountTask,
  CountTaskHandler,
  SagaProbe,
  TASK_SAGA,
  Tally,
  TaskRequested,
  TaskSagas,
} from '../support/saga.domain.js';
import {
  OrderPacked,
  OrderPlaced,
  PaymentReceived,
  ShipOrder,
  shippingTestModule,
} from '../support/saga-shipping.domain.js';

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** Emits two commands per event: both run, in order, with ids `<saga>:<event>:0` and `:1`. */
@Injectable()
class FanOutSagas {
  @DurableSaga('fan-out', { events: [TaskRequested], pollIntervalMs: 10 })
  fanOut = (events$: Observable<IEvent>) =>
    events$.pipe(
      ofType(TaskRequested),
      mergeMap((e) =>
        of(new CountTask(`${e.tallyId}-a`, e.taskId), new CountTask(`${e.tallyId}-b`, e.taskId)),
      ),
    );
}

let app: INestApplicationContext | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function bootDurable(providers: unknown[] = [TaskSagas], workers?: boolean) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      EventSourcingModule.forRoot({ type: 'memory', workers }),
      EventSourcingModule.forFeature([Tally]),
    ],
    providers: [SagaProbe, CountTaskHandler, ...(providers as never[])],
  }).compile();
  app = await moduleRef.init();
  const store = app.get(EventStore);
  const tallies = app.get<AggregateRepository<Tally>>(getAggregateRepositoryToken(Tally));
  return {
    app,
    store,
    tallies,
    sagas: app.get(SagaManager),
    probe: app.get(SagaProbe),
    request: async (tallyId: string, taskId: string, poison = false) =>
      (
        await store.appendToStream(
          `task-${taskId}`,
          [{ type: 'saga_test.task_requested', data: { taskId, tallyId, poison } }],
          { metadata: { correlationId: `corr-${taskId}` } },
        )
      ).events[0],
  };
}

describe('durations and clocks', () => {
  it('reads milliseconds and unit strings, and refuses anything else', () => {
    expect(parseDuration(250, 'x')).toBe(250);
    expect(parseDuration('30s', 'x')).toBe(30_000);
    expect(parseDuration('15m', 'x')).toBe(900_000);
    expect(parseDuration('1.5h', 'x')).toBe(5_400_000);
    expect(parseDuration('2d', 'x')).toBe(172_800_000);
    expect(() => parseDuration('soon' as never, 'ctx.schedule')).toThrow(InvalidOptionsError);
    expect(() => parseDuration(-1, 'x')).toThrow(/not a duration/);
  });

  it('moves a manual clock only when told to', () => {
    const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
    expect(clock.now().toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(clock.advance('90m').toISOString()).toBe('2030-01-01T01:30:00.000Z');
    clock.set(new Date('2031-01-01T00:00:00Z'));
    expect(clock.now().getUTCFullYear()).toBe(2031);
  });
});

describe('saga decorators', () => {
  it('refuse bad names, options and duplicate handlers with a message that says what to do', () => {
    expect(() => DurableSaga('bad name!')({}, 'x')).toThrow(/1 to 200 letters/);
    expect(() => DurableSaga('ok', { maxAttempts: 0 })({}, 'x')).toThrow(/maxAttempts/);
    expect(() => EventSourcedSaga('order-shipping')).toThrow(/no dash/);
    expect(() => {
      class Twice extends ProcessManager {
        @SagaStart(OrderPlaced, { correlateBy: 'orderId' })
        a() {}
        @SagaHandler(OrderPlaced)
        b() {}
      }
      return Twice;
    }).toThrow(/already handles OrderPlaced/);
  });

  it('makes @DomainCommand store the same metadata as @DomainEvent', () => {
    @DomainCommand('test.do_it', { version: 2 })
    class DoIt {}
    expect(getDomainEventMetadata(DoIt)).toEqual({ type: 'test.do_it', version: 2 });
  });

  it('stops boot when a process manager has no handlers', async () => {
    @EventSourcedSaga('empty')
    class EmptySaga extends ProcessManager {}
    const boot = Test.createTestingModule({
      imports: [CqrsModule.forRoot(), EventSourcingModule.forRoot({ type: 'memory' })],
      providers: [EmptySaga],
    })
      .compile()
      .then((moduleRef) => moduleRef.init());
    await expect(boot).rejects.toThrow(/no @SagaStart or @SagaHandler/);
  });
});

describe('durable sagas (in memory)', () => {
  it('sends every command of an event in order, with deterministic ids and the event correlation', async () => {
    const { sagas, request, store } = await bootDurable([FanOutSagas]);
    const event = await request('fan', 't1');
    await sagas.waitForCatchUp('fan-out', { timeoutMs: 5000 });
    const a = await store.readStream('tally-fan-a');
    const b = await store.readStream('tally-fan-b');
    expect(a[0].metadata).toMatchObject({
      causationId: `fan-out:${event.eventId}:0`,
      correlationId: 'corr-t1',
    });
    expect(b[0].metadata).toMatchObject({ causationId: `fan-out:${event.eventId}:1` });
    expect(a[0].globalPosition).toBeLessThan(b[0].globalPosition);
  });

  it('parks an event whose command keeps failing, goes on, and retries or discards it on demand', async () => {
    const { sagas, request, probe, tallies } = await bootDurable();
    probe.failingTasks.add('t2');
    await request('fails', 't1');
    const failing = await request('fails', 't2');
    await request('fails', 't3');
    await sagas.waitForCatchUp(TASK_SAGA, { timeoutMs: 5000 });
    expect((await tallies.load('fails')).tasks).toEqual(['t1', 't3']);
    const [status] = await sagas.status();
    expect(status.parked).toMatchObject([
      { eventId: failing.eventId, attempts: 2, error: 'task t2 refused' },
    ]);

    expect(await sagas.retry(TASK_SAGA)).toEqual({
      succeeded: [],
      failed: [{ eventId: failing.eventId, error: 'task t2 refused' }],
    });
    expect((await sagas.status())[0].parked[0].attempts).toBe(3);
    await expect(sagas.retry(TASK_SAGA, randomUUID())).rejects.toThrow(/has no parked event/);

    probe.failingTasks.clear();
    expect(await sagas.retry(TASK_SAGA, failing.eventId)).toEqual({
      succeeded: [failing.eventId],
      failed: [],
    });
    expect((await tallies.load('fails')).tasks).toEqual(['t1', 't3', 't2']);

    probe.failingTasks.add('t4');
    const discarded = await request('fails', 't4');
    await sagas.waitForCatchUp(TASK_SAGA, { timeoutMs: 5000 });
    expect((await sagas.status())[0].parked.map((f) => f.eventId)).toEqual([discarded.eventId]);
    await sagas.discard(TASK_SAGA, discarded.eventId);
    expect((await sagas.status())[0].parked).toEqual([]);
  });

  it('skips events whose type no class claims', async () => {
    const { sagas, store, probe } = await bootDurable();
    await store.appendToStream('other-1', [{ type: 'nobody.knows', data: {} }]);
    await sagas.waitForCatchUp(TASK_SAGA, { timeoutMs: 5000 });
    expect(probe.pipeCalls).toBe(0);
    expect((await sagas.status())[0].parked).toEqual([]);
  });

  it('starts nothing with workers off, but can be started by hand', async () => {
    const { sagas, request, tallies } = await bootDurable([TaskSagas], false);
    await request('manual', 't1');
    expect((await sagas.status())[0].state).toBe('stopped');
    expect(await tallies.find('manual')).toBeUndefined();
    await sagas.start(TASK_SAGA);
    await sagas.waitForCatchUp(TASK_SAGA, { timeoutMs: 5000 });
    expect((await tallies.load('manual')).count).toBe(1);
    await expect(sagas.start('nope')).rejects.toThrow(/no saga is named "nope"/);
  });
});

@DomainCommand('dedup_test.count_twice')
class CountTwice {
  constructor(readonly tallyId: string) {}
}

/** Saves the same tally twice in one command: both saves are kept, and both de-duplicated. */
@CommandHandler(CountTwice)
class CountTwiceHandler implements ICommandHandler<CountTwice> {
  constructor(
    @InjectAggregateRepository(Tally) private readonly tallies: AggregateRepository<Tally>,
  ) {}
  async execute(command: CountTwice) {
    const tally = (await this.tallies.find(command.tallyId)) ?? new Tally(command.tallyId);
    tally.increment('first', 'x');
    await this.tallies.save(tally);
    tally.increment('second', 'x');
    await this.tallies.save(tally);
  }
}

describe('de-duplication of re-delivered commands', () => {
  it('changes state once for a command delivered twice with the same id', async () => {
    const { app, tallies } = await bootDurable([]);
    const bus = app.get(CommandBus);
    const command = () => new CountTask('dedup', 'once');
    const first = command();
    setCommandId(first, 'saga:event-1:0');
    await bus.execute(first);
    const again = command();
    setCommandId(again, 'saga:event-1:0');
    await bus.execute(again);
    expect((await tallies.load('dedup')).count).toBe(1);

    // Another id, or none, is another command.
    const other = command();
    setCommandId(other, 'saga:event-2:0');
    await bus.execute(other);
    await bus.execute(command());
    expect((await tallies.load('dedup')).count).toBe(3);
  });

  it('keeps every save of a command, and skips them all when it is delivered again', async () => {
    const { app, tallies } = await bootDurable([CountTwiceHandler]);
    const bus = app.get(CommandBus);
    for (let i = 0; i < 2; i++) {
      const command = new CountTwice('twice');
      setCommandId(command, 'saga:event-3:0');
      await bus.execute(command);
    }
    expect((await tallies.load('twice')).tasks).toEqual(['first', 'second']);
  });
});

describe('process managers (in memory)', () => {
  async function bootShipping(clock = new ManualClock()) {
    const moduleRef = await Test.createTestingModule({
      imports: [shippingTestModule({ type: 'memory' })],
    })
      .overrideProvider(Clock)
      .useValue(clock)
      .compile();
    app = await moduleRef.init();
    const store = app.get(EventStore);
    const registry = app.get(EventRegistry);
    return {
      store,
      sagas: app.get(SagaManager),
      subscriptions: app.get(SubscriptionStore),
      append: (streamId: string, event: object, correlationId: string) =>
        store.appendToStream(streamId, [registry.serialize(event)], {
          metadata: { correlationId },
        }),
    };
  }

  it('handles events delivered again after a crash without storing or sending anything twice', async () => {
    const { store, sagas, subscriptions, append } = await bootShipping();
    await append('order-a', new OrderPlaced('a', 3), 'a');
    await append('payment-a', new PaymentReceived('a', 3), 'a');
    await append('warehouse-a', new OrderPacked('p1'), 'a');
    await sagas.waitForCatchUp('shipping', { timeoutMs: 5000 });
    const saga = await store.readStream('saga.shipping-a');
    const shipped = await store.readStream('shipment-a');
    const scheduled = await sagas.scheduledMessages();
    expect(saga).toHaveLength(3);
    expect(shipped).toHaveLength(1);

    // As after a crash before the checkpoint was written: every event comes again.
    await sagas.stop('shipping');
    await subscriptions.reset('saga:shipping');
    await sagas.start('shipping');
    await sagas.waitForCatchUp('shipping', { timeoutMs: 5000 });
    expect(await store.readStream('saga.shipping-a')).toEqual(saga);
    expect(await store.readStream('shipment-a')).toEqual(shipped);
    expect(await sagas.scheduledMessages()).toEqual(scheduled);
    expect(shipped[0].metadata.causationId).toBe(`shipping:${saga[2].metadata.causationId}:0`);
  });

  it('parks an event whose handler keeps failing', async () => {
    const { sagas, append } = await bootShipping();
    // A correlation key longer than 200 characters cannot name a stream.
    await append('order-long', new OrderPlaced('x'.repeat(201), 1), 'long');
    await sagas.waitForCatchUp('shipping', { timeoutMs: 5000 });
    const [status] = await sagas.status();
    expect(status.parked).toHaveLength(1);
    expect(status.parked[0].error).toMatch(/longer than 200 characters/);
  });

  it('parks an event whose handler schedules without a time or an undecorated message', async () => {
    class NotDecorated {}
    @EventSourcedSaga('bad_scheduler', { maxAttempts: 1, pollIntervalMs: 10 })
    class BadScheduler extends ProcessManager {
      @SagaStart(OrderPlaced, { correlateBy: 'orderId' })
      placed(event: OrderPlaced, ctx: SagaContext) {
        if (event.total === 1) ctx.schedule(new ShipOrder('x', 'y'), {});
        else ctx.schedule(new NotDecorated(), { after: '1m' });
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [CqrsModule.forRoot(), EventSourcingModule.forRoot({ type: 'memory' })],
      providers: [BadScheduler],
    }).compile();
    app = await moduleRef.init();
    const registry = app.get(EventRegistry);
    const store = app.get(EventStore);
    const sagas = app.get(SagaManager);
    await store.appendToStream('order-1', [registry.serialize(new OrderPlaced('1', 1))]);
    await store.appendToStream('order-2', [registry.serialize(new OrderPlaced('2', 2))]);
    await sagas.waitForCatchUp('bad_scheduler', { timeoutMs: 5000 });
    const [status] = await sagas.status();
    expect(status.parked.map((f) => f.error)).toEqual([
      expect.stringMatching(/give \{ after: '15m' \} or \{ at: date \}/),
      expect.stringMatching(/NotDecorated/),
    ]);
    expect(await sagas.scheduledMessages()).toEqual([]);
  });
});

describe('the scheduler of timeouts', () => {
  it('delivers each due message once, from the one scheduler holding the lease', async () => {
    const clock = new ManualClock();
    const store = new InMemoryScheduledMessageStore({ now: () => clock.now() });
    const leases = new InMemorySubscriptionStore();
    const delivered: string[] = [];
    const schedulers = ['one', 'two'].map(
      (owner) =>
        new MessageScheduler({
          store,
          leases,
          clock,
          owner,
          pollIntervalMs: 5,
          logger: silent,
          head: async () => '0',
          progressOf: async () => '0',
          deliver: async (message: ScheduledMessage) => {
            delivered.push(`${owner}:${message.key}`);
          },
        }),
    );
    for (let i = 0; i < 5; i++) {
      await store.schedule({
        id: randomUUID(),
        saga: 's',
        instance: 'i',
        key: `k${i}`,
        kind: 'command',
        type: 't',
        payload: {},
        metadata: {},
        dueAt: new Date(clock.now().getTime() + 60_000),
      });
    }
    for (const scheduler of schedulers) scheduler.start();
    await schedulers[0].waitUntilIdle(2000);
    expect(delivered).toEqual([]);
    clock.advance('1m');
    await schedulers[1].waitUntilIdle(2000);
    expect(delivered).toHaveLength(5);
    expect(new Set(delivered.map((d) => d.split(':')[0])).size).toBe(1);
    expect((await store.list({ status: 'delivered' })).map((m) => m.key).sort()).toEqual([
      'k0',
      'k1',
      'k2',
      'k3',
      'k4',
    ]);
    expect(schedulers.filter((s) => s.isLeaseOwner)).toHaveLength(1);
    await Promise.all(schedulers.map((s) => s.stop()));
  });

  it('holds a due message until its saga has reached the log head observed once it was due', async () => {
    const clock = new ManualClock();
    const store = new InMemoryScheduledMessageStore({ now: () => clock.now() });
    let head = '7';
    const progress = new Map([
      ['lagging', '3'],
      ['current', '7'],
    ]);
    const delivered: string[] = [];
    const scheduler = new MessageScheduler({
      store,
      leases: new InMemorySubscriptionStore(),
      clock,
      pollIntervalMs: 5,
      // One message a page: the lagging saga's messages fill pages and must not hide the others.
      batchSize: 1,
      logger: silent,
      head: async () => head,
      progressOf: async (saga) => progress.get(saga),
      deliver: async (message) => {
        delivered.push(`${message.saga}:${message.key}`);
      },
    });
    // Ids in scheduling order: messages due at the same time are delivered (and listed) by id.
    let scheduled = 0;
    const schedule = (saga: string, key: string) =>
      store.schedule({
        id: `00000000-0000-4000-8000-${String(++scheduled).padStart(12, '0')}`,
        saga,
        instance: 'i',
        key,
        kind: 'event',
        type: 't',
        payload: {},
        metadata: {},
        dueAt: new Date(clock.now().getTime() + 60_000),
      });
    await schedule('lagging', 'a');
    await schedule('lagging', 'b');
    await schedule('current', 'c');
    scheduler.start();
    clock.advance('1m');
    const settled = async (check: () => boolean) => {
      for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
    };
    await settled(() => delivered.length === 1);
    expect(delivered).toEqual(['current:c']);
    const waiting = await store.list({ status: 'pending' });
    expect(waiting.map((m) => [m.key, m.waitsFor])).toEqual([
      ['a', '7'],
      ['b', '7'],
    ]);
    // Newer events do not move the head a due message waits for.
    head = '9';
    await schedule('lagging', 'd'); // due later: it observes the newer head then
    clock.advance('1m');
    progress.set('lagging', '7');
    await settled(() => delivered.length === 3);
    expect(delivered).toEqual(['current:c', 'lagging:a', 'lagging:b']);
    expect((await store.list({ status: 'pending' })).map((m) => [m.key, m.waitsFor])).toEqual([
      ['d', '9'],
    ]);
    progress.set('lagging', '9');
    await scheduler.waitUntilIdle(2000);
    expect(delivered).toEqual(['current:c', 'lagging:a', 'lagging:b', 'lagging:d']);
    await scheduler.stop();
  });

  it('retries a failing delivery by the clock, then marks it failed', async () => {
    const clock = new ManualClock();
    const store = new InMemoryScheduledMessageStore({ now: () => clock.now() });
    let attempts = 0;
    const scheduler = new MessageScheduler({
      store,
      leases: new InMemorySubscriptionStore(),
      clock,
      pollIntervalMs: 5,
      maxAttempts: 2,
      backoffMs: 1000,
      logger: silent,
      head: async () => '0',
      progressOf: async () => '0',
      deliver: async () => {
        attempts++;
        throw new Error('no handler');
      },
    });
    await store.schedule({
      id: randomUUID(),
      saga: 's',
      instance: 'i',
      key: undefined,
      kind: 'command',
      type: 't',
      payload: {},
      metadata: {},
      dueAt: clock.now(),
    });
    scheduler.start();
    await scheduler.waitUntilIdle(2000);
    expect(attempts).toBe(1);
    expect((await store.list())[0]).toMatchObject({ status: 'pending', attempts: 1 });
    clock.advance('1s');
    await scheduler.waitUntilIdle(2000);
    expect(attempts).toBe(2);
    expect((await store.list())[0]).toMatchObject({
      status: 'failed',
      attempts: 2,
      lastError: 'no handler',
    });
    await scheduler.stop();
  });
});
