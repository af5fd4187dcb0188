import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { EventSourcingError } from '../core/errors/event-sourcing.error.js';
import { EventStore } from '../core/event-store.js';
import { EventStoreConnection } from '../nest/event-store-connection.js';
import { TypeOrmEventStore } from '../sql/typeorm-event-store.js';
import { EVENT_SOURCING_OPTIONS } from '../nest/event-sourcing.module-definition.js';
import type { EventSourcingModuleOptions } from '../nest/event-sourcing.options.js';
import { positionOf } from '../core/checkpoint.js';
import { getDomainEventMetadata } from '../serialization/domain-event.decorator.js';
import { EventRegistry } from '../serialization/event-registry.js';
import type { EventClass } from '../serialization/serialization.types.js';
import { errorMessage } from '../core/error-message.js';
import { isReading, Subscription } from '../engine/subscription.js';
import type { StopOptions } from '../engine/subscription.options.js';
import { SubscriptionStore } from '../core/subscription-store.js';
import { immediateUnitOfWork } from '../core/unit-of-work.js';
import { Clock } from '../core/clock.js';
import { SAGA_SUBSCRIPTION_PREFIX } from './saga.constants.js';
import { getDurableSagas } from './durable-saga.decorator.js';
import { DurableSagaRunner } from './durable-saga-runner.js';
import { getEventSourcedSagaMetadata } from './event-sourced-saga.decorator.js';
import { MessageScheduler } from './message-scheduler.js';
import type { ProcessManager } from './process-manager.js';
import { ProcessManagerRunner, type ProcessManagerClass } from './process-manager-runner.js';
import { SagaFailureStore } from '../core/saga-failure-store.js';
import type { SagaRunner, SagaRunnerDeps } from './saga-runner.js';
import { NEXT_SCHEDULED_SHOWN, type SagaRetryResult, type SagaStatus } from './saga-status.js';
import {
  ScheduledMessageStore,
  type ScheduledListFilter,
  type ScheduledMessage,
} from '../core/scheduled-message-store.js';

// @nestjs/cqrs marks command handler classes with this key; its constants are not exported.
const COMMAND_HANDLER_METADATA = '__commandHandler__';

/**
 * Finds the durable (`@DurableSaga`) and event-sourced (`@EventSourcedSaga`) sagas at startup,
 * runs each on a checkpointed subscription named `saga:<name>` (one active runner per saga across
 * processes) plus one scheduler of timeouts, and lets operators and tests inspect and control them.
 * With the module option `workers: false` nothing starts by itself; `start(name)` still works.
 */
@Injectable()
export class SagaManager implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Sagas');
  private readonly runners = new Map<string, SagaRunner>();
  private readonly workers = new Map<string, Subscription>();
  private readonly scheduler: MessageScheduler;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly registry: EventRegistry,
    private readonly store: EventStore,
    private readonly subscriptions: SubscriptionStore,
    private readonly failures: SagaFailureStore,
    private readonly scheduled: ScheduledMessageStore,
    private readonly clock: Clock,
    private readonly connection: EventStoreConnection,
    @Inject(EVENT_SOURCING_OPTIONS) private readonly options: EventSourcingModuleOptions,
    @Optional() private readonly commandBus?: CommandBus,
  ) {
    this.scheduler = new MessageScheduler({
      store: scheduled,
      leases: subscriptions,
      clock,
      deliver: (message) => this.deliverScheduled(message),
      head: () => store.headCheckpoint(),
      progressOf: async (saga) =>
        (await subscriptions.load(`${SAGA_SUBSCRIPTION_PREFIX}${saga}`))?.checkpoint,
      logger: new Logger('Saga scheduler'),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const classes = new Set<object>();
    for (const wrapper of this.discovery.getProviders()) {
      const { instance, metatype } = wrapper as { instance: unknown; metatype: unknown };
      if (!metatype || typeof metatype !== 'function' || !wrapper.isDependencyTreeStatic()) {
        continue;
      }
      this.registerCommandClass(metatype);
      const metadata = getEventSourcedSagaMetadata(metatype);
      if (metadata && !classes.has(metatype)) {
        classes.add(metatype);
        const cls = metatype as ProcessManagerClass;
        this.add(new ProcessManagerRunner(metadata, cls, this.processDeps(metadata.name)));
      }
      if (typeof instance !== 'object' || instance === null) continue;
      for (const saga of getDurableSagas(metatype)) {
        this.add(new DurableSagaRunner(saga, instance, this.deps(saga.name)));
      }
    }
    // New events committed (here, or on PostgreSQL anywhere): look now, not at the next poll.
    this.unsubscribe = this.connection.changes.subscribe(() => this.wake());
    if (this.connection.options.workers === false) return; // also off in the operator CLI
    for (const name of this.runners.keys()) await this.start(name);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all([...this.runners.keys()].map((name) => this.stop(name)));
    await this.scheduler.stop();
  }

  names(): string[] {
    return [...this.runners.keys()];
  }

  /** The sagas whose worker in this process holds the lease and reads the log. */
  reading(): string[] {
    return [...this.workers.entries()].filter(([, w]) => isReading(w)).map(([name]) => name);
  }

  async status(): Promise<SagaStatus[]> {
    const head = positionOf(await this.store.headCheckpoint());
    const parked = await this.failures.list();
    const pending = await this.scheduled.list({ status: 'pending' });
    const heldBackMs =
      this.store instanceof TypeOrmEventStore ? await this.store.readHorizonAgeMs() : undefined;
    const result: SagaStatus[] = [];
    for (const runner of this.runners.values()) {
      const record = await this.subscriptions.load(runner.subscriptionName);
      const live = this.workers.get(runner.name)?.status();
      const checkpoint = live?.checkpoint ?? record?.checkpoint;
      const position = positionOf(checkpoint);
      const failed = live?.state === 'failed' || record?.state === 'failed';
      const mine = pending.filter((m) => m.saga === runner.name);
      result.push({
        name: runner.name,
        kind: runner.kind,
        state: failed ? 'failed' : (live?.state ?? 'stopped'),
        checkpoint,
        position,
        headPosition: head,
        lag: Math.max(0, head - position),
        isLeaseOwner: live?.isLeaseOwner ?? false,
        heldBackMs,
        lastError: live?.lastError ?? record?.lastError,
        parked: parked.filter((f) => f.saga === runner.name),
        scheduled: mine.length,
        nextScheduled: mine.slice(0, NEXT_SCHEDULED_SHOWN).map((m) => ({
          id: m.id,
          type: m.type,
          instance: m.instance,
          dueAt: m.dueAt,
          waitsFor: m.waitsFor,
        })),
      });
    }
    return result;
  }

  /** Starts a saga (and, for an event-sourced one, the scheduler of timeouts). */
  async start(name: string): Promise<void> {
    const runner = this.runner(name);
    runner.stopping = false;
    await this.worker(runner).start();
    if (runner instanceof ProcessManagerRunner) this.scheduler.start();
  }

  /**
   * Stops a saga after the batch in progress (a batch with an event waiting for a retry is
   * abandoned and read again at the next start). `releaseLease: false` leaves the lease to expire,
   * as a crashed process would.
   */
  async stop(name: string, options: StopOptions = {}): Promise<void> {
    const runner = this.runner(name);
    const worker = this.workers.get(name);
    if (!worker) return;
    runner.stop();
    try {
      await worker.stop(options);
    } finally {
      runner.stopping = false;
    }
    const running = (r: SagaRunner) => {
      const state = this.workers.get(r.name)?.status().state;
      return state !== undefined && state !== 'stopped';
    };
    // Timeouts are delivered while some process manager of this process runs.
    const anyProcessManager = [...this.runners.values()].some(
      (r) => r instanceof ProcessManagerRunner && running(r),
    );
    if (!anyProcessManager) await this.scheduler.stop();
  }

  /**
   * Handles a saga's parked events again (all, or the one with `eventId`), once each: those that
   * succeed are no longer parked, those that fail stay parked with the new error.
   */
  async retry(name: string, eventId?: string): Promise<SagaRetryResult> {
    const runner = this.runner(name);
    const parked = (await this.failures.list(name)).filter(
      (f) => eventId === undefined || f.eventId === eventId,
    );
    if (eventId !== undefined && parked.length === 0) {
      throw new EventSourcingError(`saga "${name}" has no parked event ${eventId}`);
    }
    const result: SagaRetryResult = { succeeded: [], failed: [] };
    for (const failure of parked) {
      const [event] = await this.store.readStream(failure.streamId, {
        fromVersion: failure.version,
        maxCount: 1,
      });
      let error: string | undefined;
      if (event?.eventId !== failure.eventId) {
        error = `the event is no longer in ${failure.streamId}; discard it with SagaManager.discard('${name}', '${failure.eventId}')`;
      } else {
        try {
          await runner.deliver(event);
        } catch (cause) {
          error = errorMessage(cause);
        }
      }
      if (error === undefined) {
        await this.failures.remove(name, failure.eventId);
        result.succeeded.push(failure.eventId);
      } else {
        const attempts = failure.attempts + 1;
        await this.failures.park({ ...failure, error, attempts, failedAt: this.clock.now() });
        result.failed.push({ eventId: failure.eventId, error });
      }
    }
    return result;
  }

  /** Forgets a parked event without handling it. */
  async discard(name: string, eventId: string): Promise<void> {
    await this.failures.remove(this.runner(name).name, eventId);
  }

  /** Resolves when the saga (or every running saga) has handled the whole log. */
  async waitForCatchUp(name?: string, options: { timeoutMs?: number } = {}): Promise<void> {
    const names = name ? [this.runner(name).name] : [...this.workers.keys()];
    const workers = names.flatMap((n) => this.workers.get(n) ?? []);
    await Promise.all(workers.map((worker) => worker.waitForCatchUp(options)));
  }

  /**
   * Resolves when no scheduled message is due by the `Clock` any more (each was delivered, or
   * failed and waits for its retry), whichever process's scheduler delivered it.
   */
  async waitForScheduled(options: { timeoutMs?: number } = {}): Promise<void> {
    await this.scheduler.waitUntilIdle(options.timeoutMs);
  }

  /** Scheduled messages, soonest first. */
  async scheduledMessages(filter: ScheduledListFilter = {}): Promise<ScheduledMessage[]> {
    return this.scheduled.list(filter);
  }

  /** The instance of an event-sourced saga, rebuilt from its stream (undefined when none). */
  async load<T extends ProcessManager>(
    saga: string | (abstract new (...args: never[]) => T),
    correlationKey: string,
  ): Promise<T | undefined> {
    const name = typeof saga === 'string' ? saga : getEventSourcedSagaMetadata(saga)?.name;
    const runner = name === undefined ? undefined : this.runners.get(name);
    if (!(runner instanceof ProcessManagerRunner)) {
      throw new EventSourcingError(
        `no event-sourced saga ${typeof saga === 'string' ? `"${saga}"` : saga.name} is registered; list it in a module's providers`,
      );
    }
    return (await runner.load(correlationKey)) as T | undefined;
  }

  /** Looks for new events and due messages now instead of at the next poll. */
  wake(): void {
    for (const worker of this.workers.values()) worker.wake();
    this.scheduler.wake();
  }

  private add(runner: SagaRunner): void {
    const existing = this.runners.get(runner.name);
    if (existing) {
      throw new EventSourcingError(
        `two sagas are named "${runner.name}"; give each durable or event-sourced saga a unique name`,
      );
    }
    this.runners.set(runner.name, runner);
  }

  private worker(runner: SagaRunner): Subscription {
    let worker = this.workers.get(runner.name);
    if (!worker) {
      worker = new Subscription({
        name: runner.subscriptionName,
        eventStore: this.store,
        subscriptionStore: this.subscriptions,
        batchSize: runner.options.batchSize,
        pollIntervalMs: runner.options.pollIntervalMs,
        leaseTtlMs: runner.options.leaseTtlMs,
        // A batch whose checkpoint could not be written (the database went away) is retried as
        // patiently as the saga's events, instead of failing the saga after the default 5 tries.
        retry: { maxAttempts: runner.options.maxAttempts, backoffMs: runner.options.backoffMs },
        types: runner.types(),
        // Commands are side effects outside any transaction: the batch is not one either, and its
        // checkpoint is written (fenced) after every event's commands were executed.
        unitOfWork: immediateUnitOfWork,
        logger: new Logger(`Saga ${runner.name}`),
        handler: (events) => runner.handleBatch(events),
      });
      this.workers.set(runner.name, worker);
    }
    return worker;
  }

  private async deliverScheduled(message: ScheduledMessage): Promise<void> {
    const runner = this.runners.get(message.saga);
    if (!(runner instanceof ProcessManagerRunner)) {
      throw new EventSourcingError(
        `the saga "${message.saga}" that scheduled ${message.type} is not registered in this application`,
      );
    }
    if (message.kind === 'event') {
      await runner.deliverScheduled(message);
      return;
    }
    const command = this.registry.deserialize({
      type: message.type,
      data: message.payload,
      metadata: message.metadata,
    });
    await runner.sendScheduledCommand(command, message);
  }

  private runner(name: string): SagaRunner {
    const runner = this.runners.get(name);
    if (!runner) {
      throw new EventSourcingError(
        `no saga is named "${name}"; known sagas: ${this.names().join(', ') || '(none)'}`,
      );
    }
    return runner;
  }

  /** Commands with a handler and a stored type name can be scheduled: know them after a restart. */
  private registerCommandClass(metatype: object): void {
    const command = Reflect.getMetadata(COMMAND_HANDLER_METADATA, metatype) as unknown;
    if (typeof command === 'function' && getDomainEventMetadata(command)) {
      this.registry.register(command as EventClass);
    }
  }

  private deps(name: string): SagaRunnerDeps {
    return {
      registry: this.registry,
      failures: this.failures,
      clock: this.clock,
      logger: new Logger(`Saga ${name}`),
      commandBus: () => {
        if (!this.commandBus) {
          throw new EventSourcingError(
            'sagas send commands through the @nestjs/cqrs CommandBus; import CqrsModule.forRoot() in the application module',
          );
        }
        return this.commandBus;
      },
    };
  }

  private processDeps(name: string) {
    return { ...this.deps(name), store: this.store, scheduled: this.scheduled };
  }
}
