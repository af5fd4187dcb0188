import { AssertionError } from 'node:assert';
import { AggregateRoot } from '@nestjs/cqrs';
import { describe, expect, it } from 'vitest';
import { Aggregate } from '../../lib/aggregate/aggregate.decorator.js';
import { EventSourcedAggregate } from '../../lib/aggregate/event-sourced-aggregate.js';
import { EventSourcingHandler } from '../../lib/aggregate/event-sourcing-handler.decorator.js';
import { forAggregate } from '../../lib/testing/index.js';

class OrderPlaced {
  constructor(
    readonly orderId: string,
    readonly total: number,
  ) {}
}
class OrderShipped {
  constructor(
    readonly orderId: string,
    readonly carrier: string,
  ) {}
}
/** Same shape as OrderShipped, other class. */
class OrderDispatched {
  constructor(
    readonly orderId: string,
    readonly carrier: string,
  ) {}
}
class OrderCancelled {
  constructor(readonly orderId: string) {}
}

class OrderAlreadyShippedError extends Error {
  constructor(id: string) {
    super(`order ${id} is already shipped`);
  }
}

@Aggregate('order')
class Order extends EventSourcedAggregate {
  status = 'new';

  static place(id: string, total: number): Order {
    const order = new Order(id);
    order.apply(new OrderPlaced(id, total));
    return order;
  }

  ship(carrier: string): void {
    if (this.status === 'shipped') throw new OrderAlreadyShippedError(this.id);
    this.apply(new OrderShipped(this.id, carrier));
  }

  dispatch(carrier: string): void {
    this.apply(new OrderDispatched(this.id, carrier));
  }

  async shipLater(carrier: string): Promise<void> {
    await Promise.resolve();
    this.ship(carrier);
  }

  @EventSourcingHandler(OrderShipped)
  private shipped(): void {
    this.status = 'shipped';
  }
}

const placed = new OrderPlaced('o-1', 10);
const shipped = new OrderShipped('o-1', 'ups');

describe('forAggregate', () => {
  it('passes when the command applies the expected events', () => {
    expect(() =>
      forAggregate(() => new Order('o-1'))
        .given([placed])
        .when((order) => order.ship('ups'))
        .then([shipped]),
    ).not.toThrow();
  });

  it('builds the aggregate from its class and id', () => {
    expect(() =>
      forAggregate(Order, 'o-1')
        .given([placed])
        .when((order) => order.ship('ups'))
        .then([new OrderShipped('o-1', 'ups')]),
    ).not.toThrow();
  });

  it('takes the events of the aggregate a static factory returns', () => {
    expect(() =>
      forAggregate(Order, 'unused')
        .when(() => Order.place('o-1', 10))
        .then([placed]),
    ).not.toThrow();
  });

  it('replays given events without expecting them again', () => {
    expect(() =>
      forAggregate(Order, 'o-1')
        .given([placed])
        .when(() => undefined)
        .then([]),
    ).not.toThrow();
  });

  it('fails with both event lists when the events differ', () => {
    const error = failure(() =>
      forAggregate(Order, 'o-1')
        .given([placed])
        .when((order) => order.ship('dhl'))
        .then([shipped]),
    );
    expect(error).toBeInstanceOf(AssertionError);
    expect(error.message).toContain('first difference at #0');
    expect(error.message).toMatch(
      /expected events:\n {2}#0 OrderShipped \{ orderId: 'o-1', carrier: 'ups' \}/,
    );
    expect(error.message).toMatch(
      /actual events:\n {2}#0 OrderShipped \{ orderId: 'o-1', carrier: 'dhl' \}/,
    );
  });

  it('fails when the class differs even if the data is equal', () => {
    const error = failure(() =>
      forAggregate(Order, 'o-1')
        .when((order) => order.dispatch('ups'))
        .then([shipped]),
    );
    expect(error.message).toContain(
      "actual events:\n  #0 OrderDispatched { orderId: 'o-1', carrier: 'ups' }",
    );
  });

  it('fails when an event is missing or extra', () => {
    const missing = failure(() =>
      forAggregate(Order, 'o-1')
        .when(() => undefined)
        .then([shipped]),
    );
    expect(missing.message).toContain('first difference at #0');
    expect(missing.message).toContain('got no event');
    expect(missing.message).toContain('actual events:\n  (none)');

    const extra = failure(() =>
      forAggregate(Order, 'o-1')
        .when((order) => {
          order.ship('ups');
          order.dispatch('ups');
        })
        .then([shipped]),
    );
    expect(extra.message).toContain(
      'first difference at #1: expected no event, got OrderDispatched',
    );
  });

  it('fails, showing the error, when the command throws instead of applying events', () => {
    const error = failure(() =>
      forAggregate(Order, 'o-1')
        .given([placed, shipped])
        .when((order) => order.ship('ups'))
        .then([new OrderCancelled('o-1')]),
    );
    expect(error).toBeInstanceOf(AssertionError);
    expect(error.message).toContain('OrderAlreadyShippedError: order o-1 is already shipped');
    expect(error.message).toContain("OrderCancelled { orderId: 'o-1' }");
    expect(error.cause).toBeInstanceOf(OrderAlreadyShippedError);
  });

  describe('thenThrows', () => {
    it('passes when the command throws the expected error class (and message)', () => {
      const fixture = forAggregate(Order, 'o-1')
        .given([placed, shipped])
        .when((order) => order.ship('ups'));
      expect(() => fixture.thenThrows(OrderAlreadyShippedError)).not.toThrow();
      expect(() => fixture.thenThrows(Error, 'already shipped')).not.toThrow();
      expect(() => fixture.thenThrows(OrderAlreadyShippedError, /o-1/)).not.toThrow();
    });

    it('fails, listing the events, when the command does not throw', () => {
      const error = failure(() =>
        forAggregate(Order, 'o-1')
          .given([placed])
          .when((order) => order.ship('ups'))
          .thenThrows(OrderAlreadyShippedError),
      );
      expect(error).toBeInstanceOf(AssertionError);
      expect(error.message).toContain(
        'expected the command to throw OrderAlreadyShippedError, but it did not',
      );
      expect(error.message).toContain("#0 OrderShipped { orderId: 'o-1', carrier: 'ups' }");
    });

    it('fails when the error has another class or message', () => {
      const fixture = forAggregate(Order, 'o-1')
        .given([placed, shipped])
        .when((order) => order.ship('ups'));
      expect(failure(() => fixture.thenThrows(TypeError)).message).toContain(
        'expected the command to throw TypeError, but it threw OrderAlreadyShippedError',
      );
      expect(failure(() => fixture.thenThrows(Error, 'cancelled')).message).toContain(
        'with message cancelled',
      );
    });
  });

  describe('async commands', () => {
    it('returns a promise that resolves when the events match', async () => {
      await forAggregate(Order, 'o-1')
        .given([placed])
        .when((order) => order.shipLater('ups'))
        .then([shipped]);
    });

    it('returns a promise that rejects with both lists when they differ', async () => {
      const outcome = forAggregate(Order, 'o-1')
        .given([placed])
        .when((order) => order.shipLater('dhl'))
        .then([shipped]);
      await expect(outcome).rejects.toThrow(
        /expected events:[\s\S]*'ups'[\s\S]*actual events:[\s\S]*'dhl'/,
      );
    });

    it('checks an asynchronous rejection with thenThrows', async () => {
      await forAggregate(Order, 'o-1')
        .given([placed, shipped])
        .when((order) => order.shipLater('ups'))
        .thenThrows(OrderAlreadyShippedError);
    });
  });

  it('works with a plain @nestjs/cqrs AggregateRoot', () => {
    class Light extends AggregateRoot {
      on = false;
      toggle(): void {
        this.apply(new OrderCancelled('x'));
      }
      onOrderCancelled(): void {
        this.on = !this.on;
      }
    }
    expect(() =>
      forAggregate(() => new Light())
        .given([new OrderCancelled('x')])
        .when((light) => light.toggle())
        .then([new OrderCancelled('x')]),
    ).not.toThrow();
  });

  it('asks for the id when given a class alone', () => {
    const start = forAggregate as unknown as (cls: typeof Order) => unknown;
    expect(() => start(Order)).toThrow("forAggregate(Order, 'some-id')");
  });

  it('refuses to be awaited instead of calling then([...])', async () => {
    const stage = forAggregate(Order, 'o-1').when(() => undefined);
    // Promise.resolve adopts a thenable by calling then(resolve, reject), as `await` does.
    await expect(Promise.resolve(stage)).rejects.toThrow('call .then([...expected events])');
  });
});

function failure(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected the fixture to fail');
}
