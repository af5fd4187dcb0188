import { Logger } from '@nestjs/common';
import type { CommandBus } from '@nestjs/cqrs';
import type { Clock } from '../core/clock.js';
import { CommandBusMissingError } from '../core/errors/command-bus-missing.error.js';
import { DuplicateWorkerNameError } from '../core/errors/duplicate-worker-name.error.js';
import { UnknownWorkerError } from '../core/errors/unknown-worker.error.js';
import type { EventStore } from '../core/event-store.js';
import type { SagaFailureStore } from '../core/saga-failure-store.js';
import type { ScheduledMessageStore } from '../core/scheduled-message-store.js';
import { getDomainEventMetadata } from '../serialization/domain-event.decorator.js';
import type { EventRegistry } from '../serialization/event-registry.js';
import type { EventClass } from '../serialization/serialization.types.js';
import { getDurableSagas } from './durable-saga.decorator.js';
import { DurableSagaRunner } from './durable-saga-runner.js';
import { getEventSourcedSagaMetadata } from './event-sourced-saga.decorator.js';
import { ProcessManagerRunner, type ProcessManagerClass } from './process-manager-runner.js';
import type { SagaRunner, SagaRunnerDeps } from './saga-runner.js';

// @nestjs/cqrs marks command handler classes with this key; its constants are not exported.
const COMMAND_HANDLER_METADATA = '__commandHandler__';

/** A provider as the discovery pass sees it. */
export interface DiscoveredProvider {
  instance: unknown;
  metatype: unknown;
  /** False for request- and transient-scoped providers (they have no single instance). */
  isStatic: boolean;
}

export interface SagaRunnersDeps {
  registry: EventRegistry;
  store: EventStore;
  failures: SagaFailureStore;
  scheduled: ScheduledMessageStore;
  clock: Clock;
  commandBus: CommandBus | undefined;
}

/**
 * The sagas of the application by name: registration from the providers found at startup (each
 * `@DurableSaga` property and `@EventSourcedSaga` class gets its runner), and lookup.
 */
export class SagaRunners {
  private readonly runners = new Map<string, SagaRunner>();
  private readonly classes = new Set<object>();

  constructor(private readonly deps: SagaRunnersDeps) {}

  /** Registers the sagas of one provider, and its command class when it handles one. */
  register(provider: DiscoveredProvider): void {
    const { instance, metatype } = provider;
    if (!metatype || typeof metatype !== 'function' || !provider.isStatic) return;
    this.registerCommandClass(metatype);
    const metadata = getEventSourcedSagaMetadata(metatype);
    if (metadata && !this.classes.has(metatype)) {
      this.classes.add(metatype);
      const { store, scheduled } = this.deps;
      const deps = { ...this.runnerDeps(metadata.name), store, scheduled };
      this.add(new ProcessManagerRunner(metadata, metatype as ProcessManagerClass, deps));
    }
    if (typeof instance !== 'object' || instance === null) return;
    for (const saga of getDurableSagas(metatype)) {
      this.add(new DurableSagaRunner(saga, instance, this.runnerDeps(saga.name)));
    }
  }

  names(): string[] {
    return [...this.runners.keys()];
  }

  all(): SagaRunner[] {
    return [...this.runners.values()];
  }

  /** The saga named `name`; throws `UnknownWorkerError` listing the known ones. */
  get(name: string): SagaRunner {
    const runner = this.runners.get(name);
    if (!runner) throw new UnknownWorkerError('saga', name, this.names());
    return runner;
  }

  /** The event-sourced saga named `name`, if there is one. */
  processManager(name: string | undefined): ProcessManagerRunner | undefined {
    const runner = name === undefined ? undefined : this.runners.get(name);
    return runner instanceof ProcessManagerRunner ? runner : undefined;
  }

  private add(runner: SagaRunner): void {
    if (this.runners.has(runner.name)) {
      throw new DuplicateWorkerNameError('saga', runner.name);
    }
    this.runners.set(runner.name, runner);
  }

  /** Commands with a handler and a stored type name can be scheduled: know them after a restart. */
  private registerCommandClass(metatype: object): void {
    const command = Reflect.getMetadata(COMMAND_HANDLER_METADATA, metatype) as unknown;
    if (typeof command === 'function' && getDomainEventMetadata(command)) {
      this.deps.registry.register(command as EventClass);
    }
  }

  private runnerDeps(name: string): SagaRunnerDeps {
    return {
      registry: this.deps.registry,
      failures: this.deps.failures,
      clock: this.deps.clock,
      logger: new Logger(`Saga ${name}`),
      commandBus: () => {
        if (!this.deps.commandBus) throw new CommandBusMissingError();
        return this.deps.commandBus;
      },
    };
  }
}
