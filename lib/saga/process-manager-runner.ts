import type { IEvent } from '@nestjs/cqrs';
import { ConcurrencyError } from '../core/errors/concurrency.error.js';
import { DuplicateEventIdError } from '../core/errors/duplicate-event-id.error.js';
import type { EventStore } from '../core/event-store.js';
import type { StoredEvent } from '../core/event-store.types.js';
import { InvalidSagaOutputError } from '../core/errors/invalid-saga-output.error.js';
import {
  correlationKeyOf,
  sagaContext,
  type ScheduleChange,
  type Trigger,
} from './process-manager-context.js';
import type { SagaContext } from './saga-context.js';
import { inheritedMetadata } from '../core/message-context.js';
import { getDomainEventMetadata } from '../serialization/domain-event.decorator.js';
import type { EventSourcedSagaMetadata } from './event-sourced-saga.decorator.js';
import type { ProcessManager } from './process-manager.js';
import { handlerFor, processManagerHandlers } from './process-manager-handlers.js';
import { commitOutcome, outcomeEvents, type OutcomeStores } from './process-manager-outcome.js';
import type { SagaHandlerDefinition, SagaHandlers } from './saga-handler.decorator.js';
import { SagaRunner, type SagaRunnerDeps } from './saga-runner.js';
import type { ScheduledMessage, ScheduledMessageStore } from '../core/scheduled-message-store.js';

/** A lost race on the instance's stream is retried at once, this many times in all. */
const MAX_CONCURRENCY_ATTEMPTS = 10;

export type ProcessManagerClass = new (correlationKey: string) => ProcessManager;

export interface ProcessManagerDeps extends SagaRunnerDeps {
  store: EventStore;
  scheduled: ScheduledMessageStore;
}

type Method = (event: object, ctx: SagaContext) => unknown;

/**
 * Runs one `@EventSourcedSaga` class: finds the instance an event correlates to, rebuilds it from
 * its stream, runs the handler, stores the new saga events and schedule changes together, then
 * sends the returned commands.
 */
export class ProcessManagerRunner extends SagaRunner {
  readonly kind = 'event-sourced';
  private readonly handlers: SagaHandlers;
  private readonly eventTypes: string[];
  private readonly store: EventStore;
  private readonly scheduled: ScheduledMessageStore;
  private readonly outcome: OutcomeStores;

  constructor(
    readonly metadata: EventSourcedSagaMetadata,
    readonly sagaClass: ProcessManagerClass,
    deps: ProcessManagerDeps,
  ) {
    super(metadata.name, metadata, deps);
    this.store = deps.store;
    this.scheduled = deps.scheduled;
    this.outcome = {
      saga: metadata.name,
      store: deps.store,
      scheduled: deps.scheduled,
      registry: deps.registry,
      logger: deps.logger,
    };
    this.handlers = processManagerHandlers(metadata.name, sagaClass, deps.registry);
    this.eventTypes = [...this.handlers.keys()].map((cls) => getDomainEventMetadata(cls)!.type);
  }

  types(): string[] {
    return this.eventTypes;
  }

  /** The stream of the instance with this correlation key. */
  streamIdOf(key: string): string {
    return `${this.metadata.category}-${key}`;
  }

  /** The instance with this key rebuilt from its stream, or undefined when it never started. */
  async load(key: string): Promise<ProcessManager | undefined> {
    const history = await this.store.readStream(this.streamIdOf(key));
    return history.length === 0 ? undefined : this.rebuild(key, history);
  }

  async deliver(stored: StoredEvent): Promise<void> {
    const event = this.deps.registry.deserialize(stored, { skipUnknown: true });
    if (event === undefined) return;
    const handler = this.handlerFor(event);
    if (!handler) return;
    const key = correlationKeyOf(this.name, handler, event, stored.metadata);
    if (key === undefined) {
      this.deps.logger.debug(
        `event ${stored.eventId} (${stored.type}) has no correlation key; dropped`,
      );
      return;
    }
    await this.handle({
      id: stored.eventId,
      event,
      metadata: stored.metadata,
      key,
      handler,
      isTimeout: false,
    });
  }

  /** Delivers a timeout event this saga scheduled to the instance that scheduled it. */
  async deliverScheduled(message: ScheduledMessage): Promise<void> {
    const event = this.deps.registry.deserialize({
      type: message.type,
      data: message.payload,
      metadata: message.metadata,
    });
    const handler = this.handlerFor(event);
    if (!handler) {
      throw new InvalidSagaOutputError(
        this.name,
        `it has no handler for the scheduled ${message.type}; add a @SagaHandler for ${event.constructor.name}`,
      );
    }
    await this.handle({
      id: message.id,
      event,
      metadata: message.metadata,
      key: message.instance,
      handler: { ...handler, start: false },
      isTimeout: true,
      claim: (manager) => this.scheduled.claim(message.id, { manager }),
    });
  }

  /** Sends a command this saga scheduled, with the deterministic id `<saga>:<message id>:0`. */
  async sendScheduledCommand(command: object, message: ScheduledMessage): Promise<void> {
    await this.dispatch([command], `${this.name}:${message.id}`, {
      correlationId: message.metadata.correlationId ?? message.id,
      causationId: message.id,
      metadata: inheritedMetadata(message.metadata),
    });
  }

  private async handle(trigger: Trigger): Promise<void> {
    const streamId = this.streamIdOf(trigger.key);
    const correlationId = trigger.metadata.correlationId ?? trigger.id;
    for (let attempt = 1; ; attempt++) {
      const history = await this.store.readStream(streamId);
      if (history.length === 0 && !trigger.handler.start) {
        this.deps.logger.debug(
          `no instance "${trigger.key}" for ${trigger.event.constructor.name} ${trigger.id}; dropped`,
        );
        return;
      }
      // Handled before (a re-delivery after a crash): its events are stored. Rebuild the state it
      // had then, run the handler again for its commands, and store nothing new.
      const done = history.findIndex((e) => e.metadata.causationId === trigger.id);
      const instance = this.rebuild(trigger.key, done === -1 ? history : history.slice(0, done));
      const { commands, changes } = await this.runHandler(instance, trigger, correlationId);
      if (done === -1) {
        try {
          const events = outcomeEvents(this.outcome, instance, trigger, correlationId);
          const stored = await commitOutcome(
            this.outcome,
            instance,
            streamId,
            events,
            changes,
            trigger,
          );
          if (!stored) return;
        } catch (error) {
          const lostRace =
            error instanceof ConcurrencyError || error instanceof DuplicateEventIdError;
          if (lostRace && attempt < MAX_CONCURRENCY_ATTEMPTS) continue;
          throw error;
        }
      }
      await this.dispatch(commands, `${this.name}:${trigger.id}`, {
        correlationId,
        causationId: trigger.id,
        metadata: inheritedMetadata(trigger.metadata),
      });
      return;
    }
  }

  /** Runs the instance's handler: the commands it returns and the schedule changes it made. */
  private async runHandler(
    instance: ProcessManager,
    trigger: Trigger,
    correlationId: string,
  ): Promise<{ commands: unknown[]; changes: ScheduleChange[] }> {
    const changes: ScheduleChange[] = [];
    const ctx = sagaContext({
      saga: this.name,
      trigger,
      correlationId,
      changes,
      registry: this.deps.registry,
      clock: this.deps.clock,
      handles: (message) => this.handlerFor(message) !== undefined,
    });
    const method = (instance as unknown as Record<string | symbol, Method>)[trigger.handler.method];
    return { commands: toList(await method.call(instance, trigger.event, ctx)), changes };
  }

  private rebuild(key: string, history: readonly StoredEvent[]): ProcessManager {
    const instance = new this.sagaClass(key);
    const events = history.map((e) => this.deps.registry.deserialize(e) as IEvent);
    instance.loadFromHistory(events, history.at(-1)?.version ?? 0);
    return instance;
  }

  private handlerFor(event: object): SagaHandlerDefinition | undefined {
    return handlerFor(this.handlers, event);
  }
}

function toList(result: unknown): unknown[] {
  if (result === undefined || result === null) return [];
  return Array.isArray(result) ? (result as unknown[]) : [result];
}
