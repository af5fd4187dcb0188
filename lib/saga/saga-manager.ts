import {
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Clock } from '../core/clock.js';
import { SagaNotRegisteredError } from '../core/errors/saga-not-registered.error.js';
import { EventStore } from '../core/event-store.js';
import { SagaFailureStore } from '../core/saga-failure-store.js';
import {
  ScheduledMessageStore,
  type ScheduledListFilter,
  type ScheduledMessage,
} from '../core/scheduled-message-store.js';
import { SubscriptionStore } from '../core/subscription-store.js';
import { immediateUnitOfWork } from '../core/unit-of-work.js';
import type { StopOptions } from '../engine/subscription.options.js';
import { WorkerBalancer } from '../engine/worker-balancer.js';
import { WorkerEnvironment } from '../engine/worker-environment.js';
import { WorkerHost } from '../engine/worker-host.js';
import { EventRegistry } from '../serialization/event-registry.js';
import { getEventSourcedSagaMetadata } from './event-sourced-saga.decorator.js';
import type { MessageScheduler } from './message-scheduler.js';
import { ParkedEvents } from './parked-events.js';
import type { ProcessManager } from './process-manager.js';
import { ProcessManagerRunner } from './process-manager-runner.js';
import type { SagaRunner } from './saga-runner.js';
import { SagaRunners, type DiscoveredProvider } from './saga-runners.js';
import { NEXT_SCHEDULED_SHOWN, type SagaRetryResult, type SagaStatus } from './saga-status.js';
import { scheduledDelivery } from './scheduled-delivery.js';

/**
 * Controls the durable (`@DurableSaga`) and event-sourced (`@EventSourcedSaga`) sagas: each runs
 * on a checkpointed subscription named `saga:<name>` hosted by the engine's `WorkerHost` (one
 * active runner per saga across processes, leases balanced over the application's instances like
 * projections), plus one scheduler of timeouts. With the module option `workers: false` nothing
 * starts by itself; `start(name)` still works. Registration is in `SagaRunners`, parked events in
 * `ParkedEvents`, the scheduler's deliveries in `scheduledDelivery`.
 */
@Injectable()
export class SagaManager implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runners: SagaRunners;
  private readonly host: WorkerHost;
  private readonly parkedEvents: ParkedEvents;
  private readonly scheduler: MessageScheduler;

  constructor(
    registry: EventRegistry,
    store: EventStore,
    subscriptions: SubscriptionStore,
    private readonly failures: SagaFailureStore,
    private readonly scheduled: ScheduledMessageStore,
    clock: Clock,
    environment: WorkerEnvironment,
    @Optional() commandBus?: CommandBus,
    @Optional() balancer?: WorkerBalancer,
  ) {
    const deps = { registry, store, failures, scheduled, clock, commandBus };
    this.runners = new SagaRunners(deps);
    this.host = new WorkerHost({ store, subscriptions, environment, balancer });
    this.parkedEvents = new ParkedEvents(store, failures, clock);
    this.scheduler = scheduledDelivery({
      ...deps,
      runners: this.runners,
      subscriptions,
      owner: balancer?.instanceId,
    });
  }

  /**
   * Registers the sagas of a provider (lib/nest's discovery pass calls it for each provider
   * before bootstrap): its `@DurableSaga` properties, its `@EventSourcedSaga` class, and its
   * command class when it is a `@CommandHandler` of a `@DomainCommand` (so it can be scheduled).
   */
  register(provider: DiscoveredProvider): void {
    this.runners.register(provider);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.host.listen(() => this.scheduler.wake());
    if (!this.host.autoStart) return; // workers: false, and the operator CLI
    for (const name of this.names()) await this.start(name);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.names().map((name) => this.stop(name)));
    await this.host.stopAll();
    await this.scheduler.stop();
  }

  names(): string[] {
    return this.runners.names();
  }

  /** The sagas whose worker in this process holds the lease and reads the log. */
  reading(): string[] {
    return this.host.reading();
  }

  async status(): Promise<SagaStatus[]> {
    const head = await this.host.head();
    const parked = await this.failures.list();
    const pending = await this.scheduled.list({ status: 'pending' });
    const result: SagaStatus[] = [];
    for (const runner of this.runners.all()) {
      const progress = await this.host.progress(runner.name, runner.subscriptionName, head);
      const mine = pending.filter((m) => m.saga === runner.name);
      result.push({
        name: runner.name,
        kind: runner.kind,
        state: progress.failed ? 'failed' : progress.state,
        checkpoint: progress.checkpoint,
        position: progress.position,
        headPosition: progress.headPosition,
        lag: progress.lag,
        isLeaseOwner: progress.isLeaseOwner,
        leaseOwner: progress.leaseOwner,
        heldBackMs: progress.heldBackMs,
        lastError: progress.lastError,
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
    const runner = this.runners.get(name);
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
    const runner = this.runners.get(name);
    const worker = this.host.get(name);
    if (!worker) return;
    runner.stop();
    try {
      await worker.stop(options);
    } finally {
      runner.stopping = false;
    }
    // Timeouts are delivered while some process manager of this process runs.
    const anyProcessManager = this.runners
      .all()
      .some((r) => r instanceof ProcessManagerRunner && this.host.isRunning(r.name));
    if (!anyProcessManager) await this.scheduler.stop();
  }

  /**
   * Handles a saga's parked events again (all, or the one with `eventId`), once each: those that
   * succeed are no longer parked, those that fail stay parked with the new error.
   */
  async retry(name: string, eventId?: string): Promise<SagaRetryResult> {
    return this.parkedEvents.retry(this.runners.get(name), eventId);
  }

  /** Forgets a parked event without handling it. */
  async discard(name: string, eventId: string): Promise<void> {
    await this.parkedEvents.discard(this.runners.get(name).name, eventId);
  }

  /** Resolves when the saga (or every running saga) has handled the whole log. */
  async waitForCatchUp(name?: string, options: { timeoutMs?: number } = {}): Promise<void> {
    await this.host.waitForCatchUp(name ? [this.runners.get(name).name] : undefined, options);
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
    const runner = this.runners.processManager(name);
    if (!runner) {
      const named = typeof saga === 'string' ? `"${saga}"` : saga.name;
      throw new SagaNotRegisteredError(named, `cannot load ${correlationKey}`);
    }
    return (await runner.load(correlationKey)) as T | undefined;
  }

  /** Looks for new events and due messages now instead of at the next poll. */
  wake(): void {
    this.host.wake();
    this.scheduler.wake();
  }

  private worker(runner: SagaRunner) {
    return this.host.worker(runner.name, () => ({
      name: runner.subscriptionName,
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
    }));
  }
}
