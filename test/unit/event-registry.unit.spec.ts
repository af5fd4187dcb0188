import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../../lib/core/errors/invalid-options.error.js';
import type { StoredEvent } from '../../lib/core/event-store.types.js';
import { InMemoryEventStore } from '../../lib/core/in-memory/in-memory-event-store.js';
import {
  DomainEvent,
  getDomainEventMetadata,
} from '../../lib/serialization/domain-event.decorator.js';
import { DuplicateEventTypeError } from '../../lib/core/errors/duplicate-event-type.error.js';
import { EventDeserializationError } from '../../lib/core/errors/event-deserialization.error.js';
import { UndecoratedEventError } from '../../lib/core/errors/undecorated-event.error.js';
import { UnknownEventTypeError } from '../../lib/core/errors/unknown-event-type.error.js';
import { UnregisteredEventError } from '../../lib/core/errors/unregistered-event.error.js';
import { EventRegistry } from '../../lib/serialization/event-registry.js';
import { reviveDates } from '../../lib/serialization/revive-dates.js';

interface Address {
  street: string;
  city: string;
  geo: { lat: number; lon: number };
}

@DomainEvent('order.placed')
class OrderPlaced {
  constructor(
    readonly orderId: string,
    readonly total: number,
    readonly placedAt: Date,
    readonly shipTo: Address,
    readonly lines: { sku: string; addedAt: Date }[],
    readonly note: string,
  ) {}

  get summary(): string {
    return `${this.orderId}: ${this.total}`;
  }
}

@DomainEvent('order.shipped', { version: 3 })
class OrderShipped {
  constructor(readonly orderId: string) {}
}

/** A payload kept as a compact string, through the static hooks. */
@DomainEvent('money.deposited')
class MoneyDeposited {
  constructor(
    readonly accountId: string,
    readonly cents: bigint,
  ) {}

  static toPayload(event: MoneyDeposited): unknown {
    return `${event.accountId}:${event.cents.toString()}`;
  }

  static fromPayload(data: unknown): MoneyDeposited {
    const [accountId, cents] = String(data).split(':');
    return new MoneyDeposited(accountId, BigInt(cents));
  }
}

class NotAnEvent {
  constructor(readonly x: number) {}
}

const placedAt = new Date('2024-05-01T12:34:56.789Z');
const placed = () =>
  new OrderPlaced(
    'o-1',
    42.5,
    placedAt,
    { street: 'Main 1', city: 'Lyon', geo: { lat: 45.75, lon: 4.85 } },
    [{ sku: 'A', addedAt: new Date('2024-05-01T12:00:00.000Z') }],
    'deliver after 2024-05-02T09:00:00Z', // not the exact toJSON format: stays a string
  );

/** Serialise, store as JSON text, read back: what every store does. */
function throughJson(registry: EventRegistry, event: object, streamId = 'order-1'): StoredEvent {
  const serialized = registry.serialize(event);
  return {
    eventId: '00000000-0000-7000-8000-000000000000',
    streamId,
    version: 1,
    globalPosition: 1,
    occurredAt: new Date(),
    type: serialized.type,
    data: JSON.parse(JSON.stringify(serialized.data)) as unknown,
    metadata: JSON.parse(JSON.stringify(serialized.metadata)) as StoredEvent['metadata'],
  };
}

describe('@DomainEvent', () => {
  it('stores the type name (not the class name) and the schema version, 1 by default', () => {
    expect(getDomainEventMetadata(OrderPlaced)).toEqual({ type: 'order.placed', version: 1 });
    expect(getDomainEventMetadata(OrderShipped)).toEqual({ type: 'order.shipped', version: 3 });
  });

  it('is not inherited: a subclass of an event has no type name of its own', () => {
    class SpecialOrderShipped extends OrderShipped {}
    expect(getDomainEventMetadata(SpecialOrderShipped)).toBeUndefined();
    expect(getDomainEventMetadata(NotAnEvent)).toBeUndefined();
  });

  it('rejects an empty type name and a version below 1', () => {
    expect(() => DomainEvent('')(class Empty {})).toThrow(InvalidOptionsError);
    expect(() => DomainEvent('x.y', { version: 0 })(class Zero {})).toThrow(/version 0/);
    expect(() => DomainEvent('x.y', { version: 1.5 })(class Half {})).toThrow(InvalidOptionsError);
  });
});

describe('EventRegistry', () => {
  it('maps type names to classes and events to type names', () => {
    const registry = new EventRegistry().register(OrderPlaced, OrderShipped);
    expect(registry.typeOf(placed())).toBe('order.placed');
    expect(registry.typeOf(new OrderShipped('o-1'))).toBe('order.shipped');
    expect(registry.classOf('order.shipped')).toBe(OrderShipped);
    expect(registry.classOf('order.cancelled')).toBeUndefined();
    expect(registry.types().sort()).toEqual(['order.placed', 'order.shipped']);
  });

  it('keeps registries apart (no global state)', () => {
    new EventRegistry().register(OrderShipped);
    expect(new EventRegistry().classOf('order.shipped')).toBeUndefined();
  });

  it('serialises the type, the own properties and the schema version in metadata.eventVersion', () => {
    const registry = new EventRegistry().register(OrderPlaced, OrderShipped);
    expect(registry.serialize(new OrderShipped('o-9'))).toEqual({
      type: 'order.shipped',
      data: { orderId: 'o-9' },
      metadata: { eventVersion: 3 },
    });
    const data = registry.serialize(placed()).data as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual([
      'lines',
      'note',
      'orderId',
      'placedAt',
      'shipTo',
      'total',
    ]);
  });

  it('survives a JSON round trip: the class, Dates at any depth and nested objects come back', () => {
    const registry = new EventRegistry().register(OrderPlaced);
    const back = registry.deserialize(throughJson(registry, placed()));

    expect(back).toBeInstanceOf(OrderPlaced);
    const event = back as OrderPlaced;
    expect(event.summary).toBe('o-1: 42.5'); // the prototype is there
    expect(event.placedAt).toBeInstanceOf(Date);
    expect(event.placedAt.getTime()).toBe(placedAt.getTime());
    expect(event.lines[0].addedAt).toBeInstanceOf(Date);
    expect(event.lines[0].addedAt.toISOString()).toBe('2024-05-01T12:00:00.000Z');
    expect(event.shipTo).toEqual({
      street: 'Main 1',
      city: 'Lyon',
      geo: { lat: 45.75, lon: 4.85 },
    });
    expect(event.note).toBe('deliver after 2024-05-02T09:00:00Z');
    expect(event).toEqual(placed());
  });

  it('revives Dates only for classes whose constructor may hold one', () => {
    @DomainEvent('note.taken')
    class NoteTaken {
      constructor(
        readonly noteId: string,
        readonly text: string,
        readonly pinned: boolean,
      ) {}
    }
    /** No constructor: what its payload holds is unknown, so it is revived. */
    @DomainEvent('note.touched')
    class NoteTouched {
      at!: Date;
    }
    const registry = new EventRegistry().register(NoteTaken, NoteTouched, OrderPlaced);
    const iso = '2024-05-01T12:00:00.000Z';

    const taken = registry.deserialize({
      type: 'note.taken',
      data: { noteId: 'n-1', text: iso, pinned: false },
    });
    expect(taken).toBeInstanceOf(NoteTaken);
    expect(taken).toEqual(new NoteTaken('n-1', iso, false));
    expect((taken as NoteTaken).text).toBe(iso);

    const touched = registry.deserialize({ type: 'note.touched', data: { at: iso } });
    expect((touched as NoteTouched).at).toEqual(new Date(iso));
    const placedBack = registry.deserialize(throughJson(registry, placed())) as OrderPlaced;
    expect(placedBack.placedAt).toBeInstanceOf(Date);
  });

  it('round-trips through the in-memory event store', async () => {
    const registry = new EventRegistry().register(OrderPlaced, OrderShipped);
    const store = new InMemoryEventStore();
    await store.appendToStream('order-1', [
      registry.serialize(placed()),
      registry.serialize(new OrderShipped('o-1')),
    ]);
    const events = (await store.readStream('order-1')).map((e) => registry.deserialize(e));
    expect(events).toEqual([placed(), new OrderShipped('o-1')]);
    expect(events[0]).toBeInstanceOf(OrderPlaced);
    expect(events[1]).toBeInstanceOf(OrderShipped);
  });

  it('refuses two classes with one type name, naming both classes and the type', () => {
    @DomainEvent('order.shipped')
    class ParcelShipped {}
    const registry = new EventRegistry().register(OrderShipped);
    const error = catchError(() => registry.register(ParcelShipped));
    expect(error).toBeInstanceOf(DuplicateEventTypeError);
    expect(error.message).toContain('"order.shipped"');
    expect(error.message).toContain('OrderShipped');
    expect(error.message).toContain('ParcelShipped');
    expect(registry.classOf('order.shipped')).toBe(OrderShipped);
  });

  it('refuses duplicates within one call and registers nothing of that call', () => {
    @DomainEvent('order.placed')
    class OtherPlaced {}
    const registry = new EventRegistry();
    expect(() => registry.register(OrderShipped, OrderPlaced, OtherPlaced)).toThrow(
      DuplicateEventTypeError,
    );
    expect(registry.types()).toEqual([]);
  });

  it('accepts the same class twice', () => {
    const registry = new EventRegistry().register(OrderShipped, OrderShipped);
    registry.register(OrderShipped);
    expect(registry.types()).toEqual(['order.shipped']);
  });

  it('refuses an undecorated class, naming it and saying to add @DomainEvent', () => {
    const error = catchError(() => new EventRegistry().register(NotAnEvent));
    expect(error).toBeInstanceOf(UndecoratedEventError);
    expect(error.message).toContain('NotAnEvent');
    expect(error.message).toContain('@DomainEvent');
  });

  it('refuses to serialise an undecorated or an unregistered event', () => {
    const registry = new EventRegistry().register(OrderPlaced);
    expect(() => registry.serialize(new NotAnEvent(1))).toThrow(UndecoratedEventError);
    const error = catchError(() => registry.serialize(new OrderShipped('o-1')));
    expect(error).toBeInstanceOf(UnregisteredEventError);
    expect(error.message).toContain('OrderShipped');
    expect(error.message).toContain('register');
  });

  it('throws UnknownEventTypeError naming the type and the stream, or skips it when asked', () => {
    const source = new EventRegistry().register(OrderShipped);
    const stored = throughJson(source, new OrderShipped('o-1'), 'order-77');
    const registry = new EventRegistry().register(OrderPlaced);

    const error = catchError(() => registry.deserialize(stored));
    expect(error).toBeInstanceOf(UnknownEventTypeError);
    expect(error.message).toContain('"order.shipped"');
    expect(error.message).toContain('order-77');
    expect(error.message).toMatch(/register/);
    expect(error.message).toContain("@DomainEvent('order.shipped')");

    expect(registry.deserialize(stored, { skipUnknown: true })).toBeUndefined();
  });

  it('uses static toPayload / fromPayload instead of the default conversion', () => {
    const registry = new EventRegistry().register(MoneyDeposited);
    const event = new MoneyDeposited('acc-1', 12345678901234567890n);
    expect(registry.serialize(event).data).toBe('acc-1:12345678901234567890');
    const back = registry.deserialize(throughJson(registry, event));
    expect(back).toBeInstanceOf(MoneyDeposited);
    expect((back as MoneyDeposited).cents).toBe(12345678901234567890n);
  });

  it('refuses a fromPayload that returns something else than an instance', () => {
    @DomainEvent('bad.hook')
    class BadHook {
      static fromPayload(data: unknown): BadHook {
        return data as BadHook;
      }
    }
    const registry = new EventRegistry().register(BadHook);
    const error = catchError(() =>
      registry.deserialize({ type: 'bad.hook', data: {}, streamId: 'x-1', version: 3 }),
    );
    expect(error).toBeInstanceOf(EventDeserializationError);
    expect(error.message).toContain('x-1@3');
    expect(error.message).toContain('BadHook.fromPayload must return an instance');
  });

  it('refuses a payload that is not an object when the class has no fromPayload', () => {
    const registry = new EventRegistry().register(OrderShipped);
    const error = catchError(() =>
      registry.deserialize({ type: 'order.shipped', data: 'o-1', metadata: { eventVersion: 3 } }),
    );
    expect(error).toBeInstanceOf(EventDeserializationError);
    expect(error.message).toContain('static fromPayload');
  });

  it('deserialises a payload of null into an instance without properties', () => {
    const registry = new EventRegistry().register(OrderShipped);
    const event = registry.deserialize({
      type: 'order.shipped',
      data: null,
      metadata: { eventVersion: 3 },
    });
    expect(event).toBeInstanceOf(OrderShipped);
    expect(Object.keys(event)).toEqual([]);
  });
});

describe('reviveDates', () => {
  it('revives only strings exactly in the Date.toJSON format that are real dates', () => {
    expect(reviveDates('2024-01-31T23:59:59.999Z')).toEqual(new Date('2024-01-31T23:59:59.999Z'));
    expect(reviveDates('2024-01-31T23:59:59Z')).toBe('2024-01-31T23:59:59Z');
    expect(reviveDates('2024-01-31T23:59:59.999+01:00')).toBe('2024-01-31T23:59:59.999+01:00');
    expect(reviveDates('2024-02-30T00:00:00.000Z')).toBe('2024-02-30T00:00:00.000Z');
    expect(reviveDates(' 2024-01-31T23:59:59.999Z')).toBe(' 2024-01-31T23:59:59.999Z');
  });

  it('walks arrays and plain objects without changing the input', () => {
    const input = { a: [{ at: '2020-01-01T00:00:00.000Z' }], n: 1, s: 'x', z: null };
    const output = reviveDates(input) as { a: { at: Date }[] };
    expect(output.a[0].at).toBeInstanceOf(Date);
    expect(output).toEqual({
      a: [{ at: new Date('2020-01-01T00:00:00.000Z') }],
      n: 1,
      s: 'x',
      z: null,
    });
    expect(input.a[0].at).toBe('2020-01-01T00:00:00.000Z');
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`threw a non-error: ${String(error)}`);
  }
  throw new Error('expected the call to throw');
}
