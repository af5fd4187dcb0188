import { AssertionError } from 'node:assert';
import { inspect, isDeepStrictEqual } from 'node:util';
import { AggregateRoot, type IEvent } from '@nestjs/cqrs';

/** `void` for a synchronous command, `Promise<void>` (to await) for an asynchronous one. */
export type FixtureOutcome<R> = R extends PromiseLike<unknown> ? Promise<void> : void;

/** A class of errors, for `thenThrows`. */
export type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Tests an aggregate as "given these past events, when this command runs, then these new events
 * are applied (or this error is thrown)", without a store or a Nest module:
 *
 * ```ts
 * forAggregate(Order, 'order-1')            // or forAggregate(() => new Order('order-1'))
 *   .given([new OrderPlaced('order-1', 10)])
 *   .when((order) => order.ship())
 *   .then([new OrderShipped('order-1')]);
 * ```
 *
 * Events are compared by class and by deep equality, in order. Failures throw `AssertionError`
 * (from `node:assert`) with both event lists in the message, so any test runner reports them.
 * When the command is `async`, `then` and `thenThrows` return a promise: await it.
 */
export function forAggregate<T extends AggregateRoot>(factory: () => T): AggregateFixture<T>;
export function forAggregate<T extends AggregateRoot>(
  aggregateClass: new (id: string) => T,
  id: string,
): AggregateFixture<T>;
export function forAggregate<T extends AggregateRoot>(
  factoryOrClass: (() => T) | (new (id: string) => T),
  id?: string,
): AggregateFixture<T> {
  if (isAggregateClass(factoryOrClass)) {
    if (id === undefined) {
      throw new Error(
        `forAggregate(${factoryOrClass.name}) needs the aggregate id: forAggregate(${factoryOrClass.name}, 'some-id')`,
      );
    }
    return new AggregateFixture(() => new factoryOrClass(id));
  }
  return new AggregateFixture(factoryOrClass);
}

export class AggregateFixture<T extends AggregateRoot> {
  constructor(
    private readonly factory: () => T,
    private readonly history: readonly object[] = [],
  ) {}

  /** The events the aggregate's stream already holds; they are replayed, not expected again. */
  given(events: readonly object[]): AggregateFixture<T> {
    const list: unknown = events;
    if (!Array.isArray(list)) throw new Error('given() takes an array of events');
    return new AggregateFixture(this.factory, [...this.history, ...events]);
  }

  /**
   * The command under test. When it returns an aggregate (a static factory such as
   * `() => Order.place('order-1', 10)`), the new events are read from that aggregate.
   */
  when<R>(command: (aggregate: T) => R): AggregateFixtureWhen<T, R> {
    return new AggregateFixtureWhen(this.factory, this.history, command);
  }
}

type Outcome = { threw: false; events: object[] } | { threw: true; error: unknown };

export class AggregateFixtureWhen<T extends AggregateRoot, R> {
  constructor(
    private readonly factory: () => T,
    private readonly history: readonly object[],
    private readonly command: (aggregate: T) => R,
  ) {}

  /** Asserts that the command applied exactly these events, in this order. */
  then(expected: readonly object[]): FixtureOutcome<R> {
    if (typeof expected === 'function') {
      // Someone awaited the fixture instead of calling .then([...]).
      throw new Error('call .then([...expected events]) on the fixture instead of awaiting it');
    }
    return this.check((outcome) => {
      if (outcome.threw) {
        const failure = new AssertionError({
          message:
            `expected the command to apply events, but it threw ${describeError(outcome.error)}\n` +
            `expected events:\n${formatEvents(expected)}`,
          expected,
          operator: 'then',
        });
        failure.cause = outcome.error;
        throw failure;
      }
      assertSameEvents(outcome.events, expected);
    });
  }

  /**
   * Asserts that the command threw an instance of `errorClass` (whose message contains `message`
   * or matches it, when given).
   */
  thenThrows(errorClass: ErrorClass, message?: string | RegExp): FixtureOutcome<R> {
    return this.check((outcome) => {
      const wanted = `${errorClass.name}${message === undefined ? '' : ` with message ${String(message)}`}`;
      if (!outcome.threw) {
        throw new AssertionError({
          message:
            `expected the command to throw ${wanted}, but it did not throw\n` +
            `actual events:\n${formatEvents(outcome.events)}`,
          actual: outcome.events,
          operator: 'thenThrows',
        });
      }
      const { error } = outcome;
      const matches =
        error instanceof errorClass &&
        (message === undefined ||
          (typeof message === 'string'
            ? error.message.includes(message)
            : message.test(error.message)));
      if (!matches) {
        const failure = new AssertionError({
          message: `expected the command to throw ${wanted}, but it threw ${describeError(error)}`,
          actual: error,
          operator: 'thenThrows',
        });
        failure.cause = error;
        throw failure;
      }
    });
  }

  private check(assert: (outcome: Outcome) => void): FixtureOutcome<R> {
    const aggregate = this.factory();
    aggregate.loadFromHistory([...this.history] as IEvent[]);
    const eventsOf = (result: unknown): Outcome => {
      const subject = result instanceof AggregateRoot ? (result as AggregateRoot) : aggregate;
      return { threw: false, events: [...subject.getUncommittedEvents()] };
    };
    let result: R;
    try {
      result = this.command(aggregate);
    } catch (error) {
      assert({ threw: true, error });
      return undefined as FixtureOutcome<R>;
    }
    if (isPromiseLike(result)) {
      return Promise.resolve(result).then(
        (value) => assert(eventsOf(value)),
        (error: unknown) => assert({ threw: true, error }),
      ) as FixtureOutcome<R>;
    }
    assert(eventsOf(result));
    return undefined as FixtureOutcome<R>;
  }
}

function assertSameEvents(actual: readonly object[], expected: readonly object[]): void {
  const length = Math.max(actual.length, expected.length);
  for (let i = 0; i < length; i++) {
    if (i >= actual.length || i >= expected.length || !sameEvent(actual[i], expected[i])) {
      throw new AssertionError({
        message:
          `the command applied other events than expected (first difference at #${i}: ` +
          `expected ${describeAt(expected, i)}, got ${describeAt(actual, i)})\n` +
          `expected events:\n${formatEvents(expected)}\n` +
          `actual events:\n${formatEvents(actual)}`,
        actual,
        expected,
        operator: 'then',
      });
    }
  }
}

/** Same class and deeply equal (own properties, Dates, nested objects). */
function sameEvent(actual: object, expected: object): boolean {
  return actual.constructor === expected.constructor && isDeepStrictEqual(actual, expected);
}

function describeAt(events: readonly object[], index: number): string {
  return index < events.length
    ? inspect(events[index], { depth: 4, breakLength: Infinity })
    : 'no event';
}

function formatEvents(events: readonly object[]): string {
  if (events.length === 0) return '  (none)';
  return events
    .map((event, i) => `  #${i} ${inspect(event, { depth: 4, breakLength: Infinity })}`)
    .join('\n');
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return inspect(error);
  // Subclasses that do not set `name` still say "Error": show their class instead.
  const name = error.name === 'Error' ? error.constructor.name : error.name;
  return `${name}: ${error.message}`;
}

function isAggregateClass<T extends AggregateRoot>(
  value: (() => T) | (new (id: string) => T),
): value is new (id: string) => T {
  return (value as { prototype?: unknown }).prototype instanceof AggregateRoot;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
