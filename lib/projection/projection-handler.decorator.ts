import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import type { EventClass } from '../serialization/serialization.types.js';
import { PROJECTION_HANDLERS_METADATA } from './projection.constants.js';

export type ProjectionHandlers = ReadonlyMap<EventClass, string | symbol>;

/**
 * Marks the method that applies one event class to the read model. It receives the event instance
 * and a `ProjectionContext`. A projection reads only the event types it has handlers for.
 */
export function ProjectionHandler(eventClass: EventClass): MethodDecorator {
  return (target, method) => {
    if (typeof eventClass !== 'function') {
      throw new InvalidOptionsError(
        `@ProjectionHandler on ${target.constructor.name}.${String(method)}`,
        'pass the event class (undefined here usually means a circular import)',
      );
    }
    const handlers = new Map(getProjectionHandlers(target.constructor));
    if (handlers.has(eventClass)) {
      throw new InvalidOptionsError(
        `@ProjectionHandler(${eventClass.name}) on ${target.constructor.name}`,
        `${String(handlers.get(eventClass))} already handles it; keep one handler per event class`,
      );
    }
    handlers.set(eventClass, method);
    Reflect.defineMetadata(PROJECTION_HANDLERS_METADATA, handlers, target.constructor);
  };
}

export function getProjectionHandlers(cls: object): ProjectionHandlers {
  return (
    (Reflect.getMetadata(PROJECTION_HANDLERS_METADATA, cls) as ProjectionHandlers) ?? new Map()
  );
}
