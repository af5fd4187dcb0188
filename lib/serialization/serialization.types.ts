import type { EventMetadata, StoredEvent } from '../core/event-store.types.js';

/**
 * A class of domain events, decorated with `@DomainEvent`. It may define two static hooks that,
 * when present, replace the default conversion between an event and its stored payload.
 */
export interface EventClass<T extends object = object> {
  new (...args: never[]): T;
  readonly prototype: T;
  readonly name: string;
  /** Turns an event into its JSON-serialisable payload. Default: its own enumerable properties. */
  toPayload?(event: T): unknown;
  /**
   * Builds an event from its stored payload (after upcasting, before any Date revival).
   * Must return an instance of the class. Default: see `EventRegistry.deserialize`.
   */
  fromPayload?(data: unknown): T;
}

/** An event ready to be appended: pass it to `EventStore.appendToStream` as a `NewEvent`. */
export interface SerializedEvent {
  type: string;
  data: unknown;
  metadata: EventMetadata & { eventVersion: number };
}

/** The parts of a stored event that deserialisation reads. A `StoredEvent` fits. */
export type DeserializableEvent = Pick<StoredEvent, 'type' | 'data'> &
  Partial<Pick<StoredEvent, 'metadata' | 'streamId' | 'version'>>;

/** The options of `EventRegistry.deserialize`. */
export interface DeserializeOptions {
  /**
   * Return `undefined` for an event type no class is registered for, instead of throwing
   * `UnknownEventTypeError`. Meant for readers of the global log that only care about some types.
   * @default false
   */
  skipUnknown?: boolean;
}

/**
 * Turns the stored payload of version `fromVersion` of an event type into the payload of version
 * `fromVersion + 1`. It sees the stored JSON shape (Dates are still strings).
 */
export interface UpcasterDefinition<TFrom = unknown, TTo = unknown> {
  type: string;
  fromVersion: number;
  upcast(data: TFrom, metadata: Readonly<EventMetadata>): TTo;
}

/** A class-based upcaster: decorate it with `@Upcaster(type, fromVersion)`. */
export interface EventUpcaster<TFrom = unknown, TTo = unknown> {
  upcast(data: TFrom, metadata: Readonly<EventMetadata>): TTo;
}
