import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import { errorMessage } from '../core/error-message.js';
import { assertValidEventType, getDomainEventMetadata } from './domain-event.decorator.js';
import type { DomainEventMetadata } from './domain-event.decorator.js';
import { DuplicateEventTypeError } from '../core/errors/duplicate-event-type.error.js';
import { UndecoratedEventError } from '../core/errors/undecorated-event.error.js';
import { UnknownEventTypeError } from '../core/errors/unknown-event-type.error.js';
import { UnregisteredEventError } from '../core/errors/unregistered-event.error.js';
import { deserializationFailure } from './deserialization-failure.js';
import { isPlainObject, mayHoldDates, reviveDates } from './revive-dates.js';
import { UpcasterChain } from './upcaster-chain.js';
import { EVENT_VERSION_METADATA_KEY } from './serialization.constants.js';
import type {
  DeserializableEvent,
  DeserializeOptions,
  EventClass,
  EventUpcaster,
  SerializedEvent,
  UpcasterDefinition,
} from './serialization.types.js';
import { assertValidFromVersion, getUpcasterMetadata } from './upcaster.decorator.js';

/**
 * Maps stable event type names to event classes and converts between events and stored payloads,
 * upcasting payloads stored at older schema versions. One instance per application (no global
 * state): the module fills it from `forFeature` and discovered `@Upcaster` providers.
 *
 * Default conversion, used unless the class has static `toPayload` / `fromPayload` hooks:
 * - write: the event's own enumerable properties (`{ ...event }`); `JSON.stringify` turns Dates
 *   into ISO strings;
 * - read: `Object.assign(Object.create(Class.prototype), data)`, so the prototype (and
 *   `instanceof`, and `ofType`) work; the constructor is not called. Nested plain objects stay plain
 *   objects, and ISO date strings at any depth become Dates again (see `reviveDates`), unless
 *   the class's constructor declares only strings, numbers and booleans (see `mayHoldDates`).
 */
export class EventRegistry {
  private readonly classesByType = new Map<string, EventClass>();
  private readonly metadataByClass = new Map<EventClass, DomainEventMetadata>();
  /** Classes whose payload may hold Dates (see `mayHoldDates`); the others skip the revival pass. */
  private readonly revivingClasses = new Set<EventClass>();
  private readonly upcasters = new UpcasterChain();

  /**
   * Registers event classes. Registering the same class again is harmless; nothing is registered
   * when one of the classes is refused.
   * @throws UndecoratedEventError for a class without `@DomainEvent`
   * @throws DuplicateEventTypeError when another class already has the same type name
   */
  register(...classes: EventClass[]): this {
    const staged = new Map<string, EventClass>();
    for (const cls of classes) {
      if (typeof cls !== 'function') {
        throw new InvalidOptionsError(
          'registered event classes',
          `got ${String(cls)} instead of a class (often a circular import); pass the event classes`,
        );
      }
      const metadata = getDomainEventMetadata(cls);
      if (metadata === undefined) throw new UndecoratedEventError(nameOf(cls));
      const existing = this.classesByType.get(metadata.type) ?? staged.get(metadata.type);
      if (existing !== undefined && existing !== cls) {
        throw new DuplicateEventTypeError(metadata.type, existing.name, cls.name);
      }
      staged.set(metadata.type, cls);
    }
    for (const [type, cls] of staged) {
      this.classesByType.set(type, cls);
      this.metadataByClass.set(cls, getDomainEventMetadata(cls)!);
      if (mayHoldDates(cls)) this.revivingClasses.add(cls);
    }
    return this;
  }

  /** The stored type name of an event of a registered class. */
  typeOf(event: object): string {
    return this.metadataOf(event).type;
  }

  /** The class registered for a type name, or `undefined`. */
  classOf(type: string): EventClass | undefined {
    return this.classesByType.get(type);
  }

  /** The type names of all registered classes. */
  types(): string[] {
    return [...this.classesByType.keys()];
  }

  /**
   * Adds the upcaster of one event type from `fromVersion` to `fromVersion + 1`. Upcasters may be
   * added before or after the event class is registered.
   * @throws DuplicateUpcasterError when that step already has an upcaster
   */
  addUpcaster<TFrom, TTo>(upcaster: UpcasterDefinition<TFrom, TTo>): this {
    const where = `upcaster of ${JSON.stringify(upcaster?.type)}`;
    assertValidEventType(upcaster?.type, where);
    assertValidFromVersion(upcaster.fromVersion, where);
    if (typeof upcaster.upcast !== 'function') {
      throw new InvalidOptionsError(where, 'upcast must be a function (data, metadata) => newData');
    }
    this.upcasters.add(upcaster);
    return this;
  }

  /** Adds an instance of a class decorated with `@Upcaster(type, fromVersion)`. */
  addUpcasterProvider(provider: EventUpcaster): this {
    const cls = provider.constructor;
    const metadata = getUpcasterMetadata(cls);
    if (metadata === undefined) {
      throw new InvalidOptionsError(
        `upcaster ${cls.name}`,
        `the class has no @Upcaster(type, fromVersion) decorator; add one, e.g. @Upcaster('order.placed', 1)`,
      );
    }
    return this.addUpcaster({
      ...metadata,
      upcast: (data, eventMetadata) => provider.upcast(data, eventMetadata),
    });
  }

  /**
   * Turns an event into what the store appends: its type name, its payload and, in metadata key
   * `eventVersion`, the schema version of the payload.
   * @throws UndecoratedEventError / UnregisteredEventError for an event of an unknown class
   */
  serialize(event: object): SerializedEvent {
    const metadata = this.metadataOf(event);
    const cls = event.constructor as EventClass;
    const data = cls.toPayload ? cls.toPayload(event) : { ...event };
    return {
      type: metadata.type,
      data,
      metadata: { [EVENT_VERSION_METADATA_KEY]: metadata.version },
    };
  }

  /**
   * Turns a stored event back into an instance of its class, upcasting its payload first when it
   * was stored at an older schema version (metadata `eventVersion`, missing means 1).
   * @throws UnknownEventTypeError when no class is registered for the type (unless `skipUnknown`)
   * @throws MissingUpcasterError when a step of the upcaster chain is missing
   * @throws EventDeserializationError when the payload cannot be converted
   */
  deserialize(
    stored: DeserializableEvent,
    options?: DeserializeOptions & { skipUnknown?: false },
  ): object;
  deserialize(stored: DeserializableEvent, options: DeserializeOptions): object | undefined;
  deserialize(stored: DeserializableEvent, options: DeserializeOptions = {}): object | undefined {
    const cls = this.classesByType.get(stored.type);
    if (cls === undefined) {
      if (options.skipUnknown) return undefined;
      throw new UnknownEventTypeError(stored.type, stored.streamId);
    }
    const data = this.upcasters.upcast(stored, this.metadataByClass.get(cls)!.version, cls.name);
    if (cls.fromPayload) {
      let event: unknown;
      try {
        event = cls.fromPayload(data);
      } catch (cause) {
        throw deserializationFailure(
          stored,
          `${cls.name}.fromPayload threw: ${errorMessage(cause)}; make it accept every stored shape ` +
            '(or add an upcaster that brings old payloads up to date)',
          cause,
        );
      }
      if (!(event instanceof cls)) {
        throw deserializationFailure(
          stored,
          `${cls.name}.fromPayload must return an instance of ${cls.name}; return new ${cls.name}(...)`,
        );
      }
      return event;
    }
    if (data !== null && data !== undefined && !isPlainObject(data)) {
      throw deserializationFailure(
        stored,
        `its payload is ${Array.isArray(data) ? 'an array' : `a ${typeof data}`}, not an object; ` +
          `give ${cls.name} a static fromPayload(data) that builds the event from it`,
      );
    }
    const payload = this.revivingClasses.has(cls) ? reviveDates(data) : data;
    return Object.assign(Object.create(cls.prototype) as object, payload);
  }

  private metadataOf(event: object): DomainEventMetadata {
    const cls: unknown =
      typeof event === 'object' && event !== null ? event.constructor : undefined;
    const metadata = this.metadataByClass.get(cls as EventClass);
    if (metadata !== undefined) return metadata;
    const decorated = typeof cls === 'function' ? getDomainEventMetadata(cls) : undefined;
    if (decorated !== undefined) throw new UnregisteredEventError(nameOf(cls), decorated.type);
    throw new UndecoratedEventError(nameOf(cls));
  }
}

function nameOf(cls: unknown): string {
  if (typeof cls === 'function' && cls.name) return cls.name;
  return cls === undefined ? 'a value that is not an object' : 'an anonymous class';
}
