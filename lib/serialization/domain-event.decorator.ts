import 'reflect-metadata';
import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import { hasControlCharacters, MAX_EVENT_TYPE_LENGTH } from '../core/stream-id.js';
import { DOMAIN_EVENT_METADATA } from './serialization.constants.js';

/** The options of `@DomainEvent`. */
export interface DomainEventOptions {
  /**
   * The schema version of the event's payload. Raise it when the payload changes shape, and
   * register an upcaster from the previous version.
   * @default 1
   */
  version?: number;
}

export interface DomainEventMetadata {
  /** The stable type name stored with each event. */
  type: string;
  /** The current schema version of the payload. */
  version: number;
}

/**
 * Marks a class as a domain event stored under a stable type name, never the class name, so
 * classes can be renamed or moved without breaking the events already stored.
 *
 * @example @DomainEvent('order.placed', { version: 2 }) export class OrderPlaced { ... }
 */
export function DomainEvent(type: string, options: DomainEventOptions = {}): ClassDecorator {
  return (target) => {
    const where = `@DomainEvent on ${target.name}`;
    assertValidEventType(type, where);
    const version = options.version ?? 1;
    if (!Number.isSafeInteger(version) || version < 1) {
      throw new InvalidOptionsError(
        where,
        `version ${String(version)} must be a whole number >= 1 (the first version is 1)`,
      );
    }
    const metadata: DomainEventMetadata = { type, version };
    Reflect.defineMetadata(DOMAIN_EVENT_METADATA, metadata, target);
  };
}

/**
 * The `@DomainEvent` metadata of a class, or `undefined` when the class itself is not decorated
 * (a subclass of a decorated event does not inherit its type name).
 */
export function getDomainEventMetadata(cls: object): DomainEventMetadata | undefined {
  return Reflect.getOwnMetadata(DOMAIN_EVENT_METADATA, cls) as DomainEventMetadata | undefined;
}

export function assertValidEventType(type: unknown, where: string): asserts type is string {
  if (typeof type !== 'string' || type.trim().length === 0) {
    throw new InvalidOptionsError(
      where,
      'the event type must be a non-empty string such as "order.placed"',
    );
  }
  if (type.length > MAX_EVENT_TYPE_LENGTH || hasControlCharacters(type)) {
    throw new InvalidOptionsError(
      where,
      `the event type "${type.slice(0, 40)}" must be at most ${MAX_EVENT_TYPE_LENGTH} printable characters`,
    );
  }
}
