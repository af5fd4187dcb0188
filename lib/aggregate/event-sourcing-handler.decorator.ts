import 'reflect-metadata';
import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import { EVENT_SOURCING_HANDLERS_METADATA } from './aggregate.constants.js';

/** A class of events handled by an aggregate. */
export type HandledEventClass = abstract new (...args: never[]) => object;

/** Event class -> name of the aggregate method that applies it. */
export type EventSourcingHandlers = ReadonlyMap<HandledEventClass, string | symbol>;

/**
 * Marks an aggregate method as the one that applies events of `eventClass` to the aggregate's
 * state (when the event is applied, and when the aggregate is rebuilt from history). Found before
 * the `on<ClassName>` naming convention of `@nestjs/cqrs`, and unlike it survives minification.
 * Handlers only change state: no checks, no side effects, no new events.
 *
 * @example @EventSourcingHandler(OrderPlaced) placed(event: OrderPlaced) { this.status = 'placed'; }
 */
export function EventSourcingHandler<E extends object>(
  eventClass: abstract new (...args: never[]) => E,
) {
  return <M extends (event: E) => unknown>(
    target: object,
    method: string | symbol,
    _descriptor: TypedPropertyDescriptor<M>,
  ): void => {
    const owner = (target as { constructor: { name: string } }).constructor.name;
    const where = `@EventSourcingHandler on ${owner}.${String(method)}`;
    if (typeof eventClass !== 'function') {
      throw new InvalidOptionsError(
        where,
        `the event class is ${String(eventClass)}; pass the class (an undefined class usually means a circular import)`,
      );
    }
    const own = Reflect.getOwnMetadata(EVENT_SOURCING_HANDLERS_METADATA, target) as
      Map<HandledEventClass, string | symbol> | undefined;
    const existing = own?.get(eventClass);
    if (existing !== undefined) {
      throw new InvalidOptionsError(
        where,
        `${owner}.${String(existing)} already handles ${eventClass.name}; keep one handler per event class`,
      );
    }
    // Copy the inherited map once, so a subclass adds or overrides handlers without touching its parent.
    const handlers = own ?? new Map(getHandlersOfPrototype(target));
    handlers.set(eventClass, method);
    Reflect.defineMetadata(EVENT_SOURCING_HANDLERS_METADATA, handlers, target);
  };
}

/** The `@EventSourcingHandler` methods of an aggregate class, its parents' included. */
export function getEventSourcingHandlers(
  aggregateClass: abstract new (...args: never[]) => object,
): EventSourcingHandlers {
  return getHandlersOfPrototype(aggregateClass.prototype as object);
}

function getHandlersOfPrototype(prototype: object): EventSourcingHandlers {
  return (
    (Reflect.getMetadata(EVENT_SOURCING_HANDLERS_METADATA, prototype) as
      EventSourcingHandlers | undefined) ?? new Map()
  );
}

/**
 * The method that handles `event`: the handler of its class, else of the nearest parent class
 * that has one. `undefined` when there is none.
 */
export function findEventSourcingHandler(
  aggregate: object,
  event: object,
): string | symbol | undefined {
  const handlers = getHandlersOfPrototype(Object.getPrototypeOf(aggregate) as object);
  if (handlers.size === 0) return undefined;
  for (
    let proto = Object.getPrototypeOf(event) as object | null;
    proto !== null && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    const method = handlers.get((proto as { constructor: HandledEventClass }).constructor);
    if (method !== undefined) return method;
  }
  return undefined;
}
