import 'reflect-metadata';
import type { ICommand, IEvent } from '@nestjs/cqrs';
import type { Observable } from 'rxjs';
import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import type { EventClass } from '../serialization/serialization.types.js';
import { DURABLE_SAGAS_METADATA } from './saga.constants.js';
import { resolveSagaOptions, type ResolvedSagaOptions, type SagaOptions } from './saga.options.js';

/** A saga written as for @nestjs/cqrs `@Saga()`: events in, commands out. */
export type DurableSagaFunction = (events$: Observable<IEvent>) => Observable<ICommand>;

/** The options of `@DurableSaga`. */
export interface DurableSagaOptions extends SagaOptions {
  /**
   * The event classes the saga reads (the store skips every other type). Default: every class the
   * event registry knows when the saga starts.
   */
  events?: EventClass[];
}

export interface DurableSagaMetadata extends ResolvedSagaOptions {
  name: string;
  /** The provider property (or method) that holds the saga function. */
  property: string | symbol;
  events: EventClass[] | undefined;
}

const NAME = /^[A-Za-z0-9_.:-]{1,200}$/;

/**
 * Marks a provider property (or method) as a durable saga: a function
 * `(events$: Observable<IEvent>) => Observable<ICommand>` written exactly like a @nestjs/cqrs
 * `@Saga()`, with `ofType` and any RxJS operator. Its events come from the event store through a
 * checkpointed subscription named `saga:<name>` (one active runner across processes), not from
 * memory, and the commands it emits are executed through the `CommandBus`.
 *
 * Delivery: the saga function runs once per event, on `of(event)`, and the event's checkpoint
 * moves on only after its commands have been executed, one after the other. After a crash the
 * saga resumes from its checkpoint, so an event can be handled again: each command carries the
 * deterministic id `<saga>:<eventId>:<index>` (`commandIdOf(command)`), with which the aggregate
 * repository turns a re-delivered save into a no-op.
 *
 * Because each event is fed alone, operators that combine several events (`scan`, `buffer`,
 * `debounceTime`, `pairwise`, ...) see one event at a time and keep no state across events. A
 * process that must remember earlier events is an event-sourced saga (`@EventSourcedSaga`).
 *
 * Errors in the pipe or in a command handler are retried with backoff, then the event is parked
 * (see `SagaManager.status()` and `retry()`) and the saga goes on with the next events.
 *
 * @example
 * @DurableSaga('order-fulfilment')
 * fulfil = (events$: Observable<IEvent>) => events$.pipe(ofType(OrderPlaced), map((e) => new ReserveStock(e.orderId)));
 */
export function DurableSaga(name: string, options: DurableSagaOptions = {}) {
  return (target: object, property: string | symbol): void => {
    const owner = (target as { constructor: { name: string } }).constructor;
    const where = `@DurableSaga('${String(name)}') on ${owner.name}.${String(property)}`;
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new InvalidOptionsError(where, 'the name must be 1 to 200 letters, digits or _ . : -');
    }
    if (options.events !== undefined && !Array.isArray(options.events)) {
      throw new InvalidOptionsError(where, 'events must be an array of event classes');
    }
    const metadata: DurableSagaMetadata = {
      name,
      property,
      events: options.events,
      ...resolveSagaOptions(where, options),
    };
    const existing = getDurableSagas(owner);
    Reflect.defineMetadata(DURABLE_SAGAS_METADATA, [...existing, metadata], owner);
  };
}

/** The `@DurableSaga` properties of a provider class. */
export function getDurableSagas(cls: object): DurableSagaMetadata[] {
  return (Reflect.getMetadata(DURABLE_SAGAS_METADATA, cls) as DurableSagaMetadata[]) ?? [];
}
