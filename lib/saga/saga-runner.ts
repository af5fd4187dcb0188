import type { Logger } from '@nestjs/common';
import type { CommandBus, ICommand } from '@nestjs/cqrs';
import { SagaStoppingError } from '../core/errors/saga-stopping.error.js';
import { InvalidSagaOutputError } from '../core/errors/invalid-saga-output.error.js';
import type { LogEvent, StoredEvent } from '../core/event-store.types.js';
import { MessageContext, setCommandId } from '../core/message-context.js';
import type { EventRegistry } from '../serialization/event-registry.js';
import { errorMessage } from '../core/error-message.js';
import { Sleeper } from '../engine/sleeper.js';
import type { Clock } from '../core/clock.js';
import type { SagaFailureStore } from '../core/saga-failure-store.js';
import type { ResolvedSagaOptions } from './saga.options.js';
import { SAGA_SUBSCRIPTION_PREFIX } from './saga.constants.js';
import { countParked, traceSagaCommand, traceSagaEvent } from '../telemetry/worker-tracing.js';
import { backoffDelay } from '../core/backoff.js';

/** What every saga runner needs from the application. */
export interface SagaRunnerDeps {
  registry: EventRegistry;
  failures: SagaFailureStore;
  clock: Clock;
  /** The @nestjs/cqrs CommandBus; throws when the application has none. */
  commandBus: () => CommandBus;
  logger: Pick<Logger, 'log' | 'warn' | 'error' | 'debug'>;
}

/**
 * What durable and event-sourced sagas share: each event of a batch is handled in order, retried
 * with backoff when it fails, then parked, so one bad event never stops the saga.
 */
export abstract class SagaRunner {
  abstract readonly kind: 'durable' | 'event-sourced';
  /** Set while the saga stops: a retry waiting for its backoff gives up at once. */
  stopping = false;
  readonly backoff = new Sleeper();

  protected constructor(
    readonly name: string,
    readonly options: ResolvedSagaOptions,
    protected readonly deps: SagaRunnerDeps,
  ) {}

  get subscriptionName(): string {
    return `${SAGA_SUBSCRIPTION_PREFIX}${this.name}`;
  }

  /** The event types the saga's subscription reads (undefined: all). */
  abstract types(): string[] | undefined;

  /** Handles one event once: throws when it (or a command it sends) fails. */
  abstract deliver(event: StoredEvent): Promise<void>;

  /** The subscription's handler: never throws for the saga's own errors, only when stopping. */
  async handleBatch(events: readonly LogEvent[]): Promise<void> {
    for (const event of events) await this.handleWithRetries(event);
  }

  stop(): void {
    this.stopping = true;
    this.backoff.wake();
  }

  private async handleWithRetries(event: LogEvent): Promise<void> {
    const { maxAttempts, backoffMs } = this.options;
    let lastError: unknown;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      // Stopping finishes the batch, except an event waiting for a retry: that batch is abandoned.
      if (attempt > 1 && this.stopping) throw new SagaStoppingError(this.name);
      try {
        await traceSagaEvent(this.name, event, () => this.deliver(event));
        return;
      } catch (error) {
        lastError = error;
        if (attempt === maxAttempts) break;
        const delay = backoffDelay(attempt, backoffMs);
        this.deps.logger.warn(
          `event ${event.eventId} (${event.type} at position ${event.globalPosition}) failed ` +
            `(attempt ${attempt} of ${maxAttempts}): ${errorMessage(error)}; retrying in ${delay} ms`,
        );
        await this.backoff.sleep(delay);
      }
    }
    if (this.stopping) throw new SagaStoppingError(this.name);
    const message = errorMessage(lastError);
    countParked(this.name);
    await this.deps.failures.park({
      saga: this.name,
      eventId: event.eventId,
      eventType: event.type,
      streamId: event.streamId,
      version: event.version,
      position: event.globalPosition,
      checkpoint: event.checkpoint,
      error: message,
      attempts: maxAttempts,
      failedAt: this.deps.clock.now(),
    });
    this.deps.logger.error(
      `parked event ${event.eventId} (${event.type}, stream ${event.streamId}, position ` +
        `${event.globalPosition}) after ${maxAttempts} attempts: ${message}; going on with the ` +
        `next events. Fix the cause, then retry it with SagaManager.retry('${this.name}')`,
      lastError instanceof Error ? lastError.stack : undefined,
    );
  }

  /**
   * Sends commands one after the other through the CommandBus, each with the deterministic id
   * `<idPrefix>:<index>`, inside a message context that ties them to the message that caused them.
   */
  protected async dispatch(
    commands: readonly unknown[],
    idPrefix: string,
    context: { correlationId: string; causationId: string; metadata: Record<string, unknown> },
  ): Promise<void> {
    if (commands.length === 0) return;
    const bus = this.deps.commandBus();
    for (const [index, command] of commands.entries()) {
      if (typeof command !== 'object' || command === null) {
        throw new InvalidSagaOutputError(
          this.name,
          `it produced ${command === null ? 'null' : typeof command} as a command; sagas send command objects (instances of a command class)`,
        );
      }
      setCommandId(command, `${idPrefix}:${index}`);
      await traceSagaCommand(this.name, command, () =>
        MessageContext.run(context, () => bus.execute(command as ICommand)),
      );
    }
  }
}
