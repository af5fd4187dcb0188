import { getEventSourcingHandlers } from '../aggregate/event-sourcing-handler.decorator.js';
import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import { getDomainEventMetadata } from '../serialization/domain-event.decorator.js';
import type { EventRegistry } from '../serialization/event-registry.js';
import type { EventClass } from '../serialization/serialization.types.js';
import {
  getSagaHandlers,
  type SagaHandlerDefinition,
  type SagaHandlers,
} from './saga-handler.decorator.js';

/**
 * The handlers of an `@EventSourcedSaga` class, checked at registration: at least one, and every
 * event it handles or applies has a `@DomainEvent` type (registered here, so its stream and the
 * log revive into classes).
 */
export function processManagerHandlers(
  saga: string,
  sagaClass: new (key: string) => object,
  registry: EventRegistry,
): SagaHandlers {
  const handlers = getSagaHandlers(sagaClass);
  const where = `@EventSourcedSaga('${saga}') on ${sagaClass.name}`;
  if (handlers.size === 0) {
    throw new InvalidOptionsError(
      where,
      'it has no @SagaStart or @SagaHandler method; add one for the event that starts it',
    );
  }
  const classes = [...handlers.keys(), ...getEventSourcingHandlers(sagaClass).keys()];
  for (const cls of classes) {
    if (!getDomainEventMetadata(cls)) {
      throw new InvalidOptionsError(
        where,
        `${cls.name} has no @DomainEvent(type); saga events and the events it handles need a stable type name`,
      );
    }
    registry.register(cls as EventClass);
  }
  return handlers;
}

/** The handler of the event's class, or of the nearest base class that has one. */
export function handlerFor(
  handlers: SagaHandlers,
  event: object,
): SagaHandlerDefinition | undefined {
  for (
    let proto = Object.getPrototypeOf(event) as object | null;
    proto !== null && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    const handler = handlers.get(proto.constructor as EventClass);
    if (handler) return handler;
  }
  return undefined;
}
