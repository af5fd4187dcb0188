import 'reflect-metadata';
import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import { assertValidEventType } from './domain-event.decorator.js';
import { UPCASTER_METADATA } from './serialization.constants.js';
import type { EventUpcaster } from './serialization.types.js';

export interface UpcasterMetadata {
  /** The event type name, as in `@DomainEvent`. */
  type: string;
  /** The payload version this upcaster reads; it returns version `fromVersion + 1`. */
  fromVersion: number;
}

/**
 * Marks a provider as the upcaster of `type` from `fromVersion` to `fromVersion + 1`. The class
 * implements `upcast(data, metadata)`; the module discovers it and adds it to the registry.
 *
 * @example @Upcaster('order.placed', 1) export class OrderPlacedV1ToV2 implements EventUpcaster { ... }
 */
export function Upcaster(type: string, fromVersion: number) {
  return (target: abstract new (...args: never[]) => EventUpcaster): void => {
    const where = `@Upcaster on ${target.name}`;
    assertValidEventType(type, where);
    assertValidFromVersion(fromVersion, where);
    const metadata: UpcasterMetadata = { type, fromVersion };
    Reflect.defineMetadata(UPCASTER_METADATA, metadata, target);
  };
}

/** The `@Upcaster` metadata of a class, or `undefined` when it is not decorated. */
export function getUpcasterMetadata(cls: object): UpcasterMetadata | undefined {
  return Reflect.getOwnMetadata(UPCASTER_METADATA, cls) as UpcasterMetadata | undefined;
}

export function assertValidFromVersion(fromVersion: unknown, where: string): void {
  if (typeof fromVersion !== 'number' || !Number.isSafeInteger(fromVersion) || fromVersion < 1) {
    throw new InvalidOptionsError(
      where,
      `fromVersion ${String(fromVersion)} must be a whole number >= 1 (the version the upcaster reads)`,
    );
  }
}
