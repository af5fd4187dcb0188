import 'reflect-metadata';
import type { ICommand } from '@nestjs/cqrs';
import type { EventMetadata } from '../core/event-store.types.js';
import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import type { SagaContext } from './saga-context.js';
import { SAGA_HANDLERS_METADATA } from './saga.constants.js';

type AnyClass<E> = abstract new (...args: never[]) => E;

/**
 * Finds the saga instance an event belongs to: the name of one of its properties, or a function of
 * the event (and its metadata). Omitted: the event's `metadata.correlationId`.
 */
export type CorrelateBy<E> =
  (keyof E & string) | ((event: E, metadata: EventMetadata) => string | number | undefined);

/** The options of `@SagaStart` and `@SagaHandler`: how an event finds its saga instance. */
export interface SagaHandlerOptions<E> {
  correlateBy?: CorrelateBy<E>;
}

/** What a handler may return: commands to send once the saga's events are stored. */
export type SagaHandlerResult =
  ICommand | ICommand[] | undefined | void | Promise<ICommand | ICommand[] | undefined | void>;

export interface SagaHandlerDefinition {
  method: string | symbol;
  /** Whether the event starts a new instance when none exists (otherwise it is dropped). */
  start: boolean;
  correlateBy: CorrelateBy<never> | undefined;
}

export type SagaHandlers = ReadonlyMap<AnyClass<object>, SagaHandlerDefinition>;

function sagaHandler<E extends object>(
  kind: '@SagaStart' | '@SagaHandler',
  eventClass: AnyClass<E>,
  options: SagaHandlerOptions<E>,
) {
  return <M extends (event: E, ctx: SagaContext) => SagaHandlerResult>(
    target: object,
    method: string | symbol,
    _descriptor: TypedPropertyDescriptor<M>,
  ): void => {
    const owner = (target as { constructor: { name: string } }).constructor;
    const where = `${kind} on ${owner.name}.${String(method)}`;
    if (typeof eventClass !== 'function') {
      throw new InvalidOptionsError(
        where,
        'pass the event class (undefined here usually means a circular import)',
      );
    }
    const by = options.correlateBy;
    if (by !== undefined && typeof by !== 'string' && typeof by !== 'function') {
      throw new InvalidOptionsError(where, 'correlateBy must be a property name or a function');
    }
    const handlers = new Map(getSagaHandlers(owner));
    const existing = handlers.get(eventClass);
    if (existing) {
      throw new InvalidOptionsError(
        where,
        `${owner.name}.${String(existing.method)} already handles ${eventClass.name}; keep one handler per event class`,
      );
    }
    handlers.set(eventClass, {
      method,
      start: kind === '@SagaStart',
      correlateBy: by,
    });
    Reflect.defineMetadata(SAGA_HANDLERS_METADATA, handlers, owner);
  };
}

/**
 * Marks the process-manager method that handles the event starting an instance: when no instance
 * exists for the event's correlation key, a new one is created. The method applies saga events
 * (state changes in `@EventSourcingHandler` methods, as in aggregates) and returns the commands to
 * send.
 *
 * @example @SagaStart(OrderPlaced, { correlateBy: 'orderId' }) placed(e: OrderPlaced, ctx: SagaContext) { ... }
 */
export function SagaStart<E extends object>(
  eventClass: AnyClass<E>,
  options: SagaHandlerOptions<E> = {},
) {
  return sagaHandler('@SagaStart', eventClass, options);
}

/**
 * Marks a process-manager method that handles a later event of an instance. An event whose
 * instance does not exist is dropped.
 *
 * @example @SagaHandler(PaymentReceived, { correlateBy: (e) => e.orderId }) paid(e: PaymentReceived, ctx: SagaContext) { ... }
 */
export function SagaHandler<E extends object>(
  eventClass: AnyClass<E>,
  options: SagaHandlerOptions<E> = {},
) {
  return sagaHandler('@SagaHandler', eventClass, options);
}

export function getSagaHandlers(cls: object): SagaHandlers {
  return (Reflect.getMetadata(SAGA_HANDLERS_METADATA, cls) as SagaHandlers) ?? new Map();
}
