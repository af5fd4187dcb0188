import type { ICommand, IEvent } from '@nestjs/cqrs';
import { lastValueFrom, of, timeout, toArray, type Observable } from 'rxjs';
import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import { inheritedMetadata } from '../core/message-context.js';
import type { StoredEvent } from '../core/event-store.types.js';
import { getDomainEventMetadata } from '../serialization/domain-event.decorator.js';
import type { DurableSagaFunction, DurableSagaMetadata } from './durable-saga.decorator.js';
import { SagaRunner, type SagaRunnerDeps } from './saga-runner.js';

/** A saga pipe that has not completed this long after its one event is taken as stuck. */
const PIPE_TIMEOUT_MS = 30_000;

/** Runs one `@DurableSaga` function: one event in, its commands out and executed. */
export class DurableSagaRunner extends SagaRunner {
  readonly kind = 'durable';
  private readonly saga: DurableSagaFunction;
  private readonly eventTypes: string[] | undefined;

  constructor(
    readonly metadata: DurableSagaMetadata,
    readonly instance: object,
    deps: SagaRunnerDeps,
  ) {
    super(metadata.name, metadata, deps);
    const where = `@DurableSaga('${metadata.name}') on ${instance.constructor.name}.${String(metadata.property)}`;
    const fn = (instance as Record<string | symbol, unknown>)[metadata.property];
    if (typeof fn !== 'function') {
      throw new InvalidOptionsError(
        where,
        `the property is ${typeof fn}; it must hold a function (events$) => Observable<ICommand>`,
      );
    }
    this.saga = (events$) => (fn as DurableSagaFunction).call(instance, events$);
    if (metadata.events) {
      deps.registry.register(...metadata.events);
      this.eventTypes = metadata.events.map((cls) => getDomainEventMetadata(cls)!.type);
    }
  }

  types(): string[] | undefined {
    return this.eventTypes;
  }

  async deliver(stored: StoredEvent): Promise<void> {
    const event = this.deps.registry.deserialize(stored, { skipUnknown: true }) as IEvent;
    if (event === undefined) return;
    const commands = await this.commandsFor(event);
    await this.dispatch(commands, `${this.name}:${stored.eventId}`, {
      correlationId: stored.metadata.correlationId ?? stored.eventId,
      causationId: stored.eventId,
      metadata: inheritedMetadata(stored.metadata),
    });
  }

  private async commandsFor(event: IEvent): Promise<ICommand[]> {
    const output: unknown = this.saga(of(event));
    if (!isObservable(output)) {
      throw new InvalidOptionsError(
        `@DurableSaga('${this.name}')`,
        'the saga function must return an Observable of commands',
      );
    }
    return lastValueFrom(output.pipe(toArray(), timeout(PIPE_TIMEOUT_MS)));
  }
}

function isObservable(value: unknown): value is Observable<ICommand> {
  return typeof (value as { pipe?: unknown } | null)?.pipe === 'function';
}
