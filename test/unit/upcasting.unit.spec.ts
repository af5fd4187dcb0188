import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../../lib/core/errors/invalid-options.error.js';
import type { EventMetadata } from '../../lib/core/event-store.types.js';
import { DomainEvent } from '../../lib/serialization/domain-event.decorator.js';
import { DuplicateUpcasterError } from '../../lib/core/errors/duplicate-upcaster.error.js';
import { EventDeserializationError } from '../../lib/core/errors/event-deserialization.error.js';
import { MissingUpcasterError } from '../../lib/core/errors/missing-upcaster.error.js';
import { EventRegistry } from '../../lib/serialization/event-registry.js';
import type { EventUpcaster } from '../../lib/serialization/serialization.types.js';
import { getUpcasterMetadata, Upcaster } from '../../lib/serialization/upcaster.decorator.js';

// Version history of "order.placed":
// v1 { id, amount }   v2 { orderId, amount }   v3 { orderId, total: { amount, currency }, placedAt }
interface V1 {
  id: string;
  amount: number;
}
interface V2 {
  orderId: string;
  amount: number;
}
interface V3 {
  orderId: string;
  total: { amount: number; currency: string };
  placedAt: string;
}

@DomainEvent('order.placed', { version: 3 })
class OrderPlaced {
  constructor(
    readonly orderId: string,
    readonly total: { amount: number; currency: string },
    readonly placedAt: Date,
  ) {}
}

const v1ToV2 = {
  type: 'order.placed',
  fromVersion: 1,
  upcast: (data: V1): V2 => ({ orderId: data.id, amount: data.amount }),
};
const v2ToV3 = {
  type: 'order.placed',
  fromVersion: 2,
  upcast: (data: V2, metadata: Readonly<EventMetadata>): V3 => ({
    orderId: data.orderId,
    total: { amount: data.amount, currency: 'EUR' },
    placedAt:
      typeof metadata.placedAt === 'string' ? metadata.placedAt : '2020-01-01T00:00:00.000Z',
  }),
};

const stored = (data: unknown, metadata: EventMetadata = {}) => ({
  type: 'order.placed',
  streamId: 'order-5',
  version: 1,
  data,
  metadata,
});

describe('upcasting', () => {
  it('runs the chain 1 -> 2 -> 3 for an event stored without eventVersion (version 1)', () => {
    const registry = new EventRegistry()
      .register(OrderPlaced)
      .addUpcaster(v2ToV3)
      .addUpcaster(v1ToV2);
    const event = registry.deserialize(
      stored({ id: 'o-5', amount: 10 }, { placedAt: '2024-03-01T10:00:00.000Z' }),
    );
    expect(event).toBeInstanceOf(OrderPlaced);
    expect(event).toEqual(
      new OrderPlaced('o-5', { amount: 10, currency: 'EUR' }, new Date('2024-03-01T10:00:00.000Z')),
    );
    // The date string made by the upcaster is revived like any stored date.
    expect((event as OrderPlaced).placedAt).toBeInstanceOf(Date);
  });

  it('runs only the steps above the stored version', () => {
    const calls: string[] = [];
    const registry = new EventRegistry()
      .register(OrderPlaced)
      .addUpcaster({
        ...v1ToV2,
        upcast: (data: V1) => {
          calls.push('1->2');
          return v1ToV2.upcast(data);
        },
      })
      .addUpcaster({
        ...v2ToV3,
        upcast: (data: V2, metadata) => {
          calls.push('2->3');
          return v2ToV3.upcast(data, metadata);
        },
      });

    registry.deserialize(stored({ orderId: 'o-5', amount: 3 }, { eventVersion: 2 }));
    expect(calls).toEqual(['2->3']);

    calls.length = 0;
    const current = registry.deserialize(
      stored(
        {
          orderId: 'o-5',
          total: { amount: 3, currency: 'USD' },
          placedAt: '2024-01-01T00:00:00.000Z',
        },
        { eventVersion: 3 },
      ),
    );
    expect(calls).toEqual([]);
    expect((current as OrderPlaced).total.currency).toBe('USD');

    registry.deserialize(stored({ id: 'o-5', amount: 3 }, { eventVersion: 1 }));
    expect(calls).toEqual(['1->2', '2->3']);
  });

  it('names the type and the versions when a link of the chain is missing', () => {
    const registry = new EventRegistry().register(OrderPlaced).addUpcaster(v2ToV3);
    let error: unknown;
    try {
      registry.deserialize(stored({ id: 'o-5', amount: 10 }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MissingUpcasterError);
    const missing = error as MissingUpcasterError;
    expect(missing.eventType).toBe('order.placed');
    expect(missing.fromVersion).toBe(1);
    expect(missing.message).toContain('"order.placed" from version 1 to 2');
    expect(missing.message).toContain('is at version 1 and the class is at version 3');
    expect(missing.message).toContain('order-5');
    expect(missing.message).toContain('addUpcaster');
  });

  it('refuses a second upcaster for the same step', () => {
    const registry = new EventRegistry().addUpcaster(v1ToV2);
    expect(() => registry.addUpcaster({ ...v1ToV2 })).toThrow(DuplicateUpcasterError);
    expect(() => registry.addUpcaster({ ...v1ToV2, type: 'order.other' })).not.toThrow();
  });

  it('refuses an upcaster with a fromVersion below 1', () => {
    expect(() => new EventRegistry().addUpcaster({ ...v1ToV2, fromVersion: 0 })).toThrow(
      InvalidOptionsError,
    );
  });

  it('refuses an event stored at a version newer than its class', () => {
    const registry = new EventRegistry().register(OrderPlaced);
    expect(() => registry.deserialize(stored({}, { eventVersion: 4 }))).toThrow(
      /stored at schema version 4, newer than version 3 of OrderPlaced/,
    );
  });

  it('wraps an upcaster failure with the type, the stream and the step, keeping the cause', () => {
    const boom = new Error('boom');
    const registry = new EventRegistry()
      .register(OrderPlaced)
      .addUpcaster({
        type: 'order.placed',
        fromVersion: 1,
        upcast: () => {
          throw boom;
        },
      })
      .addUpcaster(v2ToV3);
    let error: unknown;
    try {
      registry.deserialize(stored({ id: 'o-5', amount: 1 }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EventDeserializationError);
    expect((error as Error).message).toContain('"order.placed" at order-5@1');
    expect((error as Error).message).toContain('from version 1 to 2 threw: boom');
    expect((error as Error).cause).toBe(boom);
  });

  it('accepts class-based upcasters decorated with @Upcaster', () => {
    @Upcaster('order.placed', 1)
    class OrderPlacedV1ToV2 implements EventUpcaster<V1, V2> {
      upcast(data: V1): V2 {
        return { orderId: `${data.id}!`, amount: data.amount };
      }
    }
    expect(getUpcasterMetadata(OrderPlacedV1ToV2)).toEqual({
      type: 'order.placed',
      fromVersion: 1,
    });

    const registry = new EventRegistry()
      .register(OrderPlaced)
      .addUpcasterProvider(new OrderPlacedV1ToV2())
      .addUpcaster(v2ToV3);
    const event = registry.deserialize(stored({ id: 'o-5', amount: 2 })) as OrderPlaced;
    expect(event.orderId).toBe('o-5!');
  });

  it('refuses an upcaster provider without @Upcaster', () => {
    class Plain implements EventUpcaster {
      upcast(data: unknown) {
        return data;
      }
    }
    expect(getUpcasterMetadata(Plain)).toBeUndefined();
    expect(() => new EventRegistry().addUpcasterProvider(new Plain())).toThrow(/@Upcaster/);
  });
});
