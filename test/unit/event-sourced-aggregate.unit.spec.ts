import type { IEvent } from '@nestjs/cqrs';
import { describe, expect, it } from 'vitest';
import {
  Aggregate,
  getAggregateMetadata,
  isSnapshotDue,
  streamIdFor,
} from '../../lib/aggregate/aggregate.decorator.js';
import { AggregateNotFoundError } from '../../lib/core/errors/aggregate-not-found.error.js';
import { UndecoratedAggregateError } from '../../lib/core/errors/undecorated-aggregate.error.js';
import { EventSourcedAggregate } from '../../lib/aggregate/event-sourced-aggregate.js';
import {
  EventSourcingHandler,
  getEventSourcingHandlers,
} from '../../lib/aggregate/event-sourcing-handler.decorator.js';
import { AggregateAutoCommitError } from '../../lib/core/errors/aggregate-auto-commit.error.js';
import { AggregateUnsavedEventsError } from '../../lib/core/errors/aggregate-unsaved-events.error.js';
import { EventSourcingError } from '../../lib/core/errors/event-sourcing.error.js';
import { InvalidSnapshotStateError } from '../../lib/core/errors/invalid-snapshot-state.error.js';
import { InvalidOptionsError } from '../../lib/core/errors/invalid-options.error.js';
import { InvalidStreamIdError } from '../../lib/core/errors/invalid-stream-id.error.js';

class AccountOpened {
  constructor(
    readonly accountId: string,
    readonly openedAt: Date,
  ) {}
}
class MoneyDeposited {
  constructor(readonly amount: number) {}
}
class MoneyWithdrawn {
  constructor(readonly amount: number) {}
}
class AccountTagged {
  constructor(readonly tag: string) {}
}

@Aggregate('account', { snapshotEvery: 10, snapshotRevision: 2 })
class Account extends EventSourcedAggregate {
  balance = 0;
  openedAt?: Date;
  owner = { name: '', address: { city: '' } };
  tags: string[] = [];
  handled: string[] = [];

  static open(id: string, at: Date): Account {
    const account = new Account(id);
    account.apply(new AccountOpened(id, at));
    return account;
  }

  deposit(amount: number): void {
    if (amount <= 0) throw new Error('deposit a positive amount');
    this.apply(new MoneyDeposited(amount));
  }

  withdraw(amount: number): void {
    if (amount > this.balance) throw new Error('insufficient funds');
    this.apply(new MoneyWithdrawn(amount));
  }

  // By decorator: the method name follows no convention.
  @EventSourcingHandler(AccountOpened)
  private opened(event: AccountOpened): void {
    this.openedAt = event.openedAt;
    this.owner = { name: 'Ada', address: { city: 'London' } };
    this.handled.push('opened');
  }

  @EventSourcingHandler(MoneyDeposited)
  private deposited(event: MoneyDeposited): void {
    this.balance += event.amount;
    this.handled.push('deposited');
  }

  // By the @nestjs/cqrs convention: on<EventClassName>.
  onMoneyWithdrawn(event: MoneyWithdrawn): void {
    this.balance -= event.amount;
    this.handled.push('onMoneyWithdrawn');
  }

  // A convention-named method that must lose against the decorated handler of the same event.
  onMoneyDeposited(): void {
    this.handled.push('onMoneyDeposited');
  }

  tag(tag: string): void {
    this.apply(new AccountTagged(tag));
  }

  @EventSourcingHandler(AccountTagged)
  private tagged(event: AccountTagged): void {
    this.tags.push(event.tag);
  }
}

const openedAt = new Date('2024-01-02T03:04:05.678Z');
const history = (): IEvent[] => [
  new AccountOpened('a-1', openedAt),
  new MoneyDeposited(100),
  new MoneyWithdrawn(30),
];

describe('@Aggregate', () => {
  it('stores the stream category and snapshot options and builds stream ids', () => {
    expect(getAggregateMetadata(Account)).toEqual({
      category: 'account',
      snapshotEvery: 10,
      snapshotRevision: 2,
    });
    expect(streamIdFor(Account, '42')).toBe('account-42');
  });

  it('defaults snapshotRevision to 1 and takes no snapshots without snapshotEvery', () => {
    @Aggregate('cart')
    class Cart extends EventSourcedAggregate {}
    expect(getAggregateMetadata(Cart)).toEqual({
      category: 'cart',
      snapshotEvery: undefined,
      snapshotRevision: 1,
    });
    expect(isSnapshotDue(getAggregateMetadata(Cart)!, 0, 1000)).toBe(false);
  });

  it('is seen on subclasses (such as EventPublisher.mergeClassContext makes)', () => {
    class Merged extends Account {}
    expect(getAggregateMetadata(Merged)?.category).toBe('account');
    expect(streamIdFor(Merged, '1')).toBe('account-1');
  });

  it('rejects a category with a dash, since the category ends at the first dash', () => {
    expect(() => Aggregate('order-line')(class OrderLine {})).toThrow(InvalidOptionsError);
    expect(() => Aggregate('order-line')(class OrderLine {})).toThrow(/"order_line"/);
    expect(() => Aggregate('x', { snapshotEvery: 0 })(class X {})).toThrow(/snapshotEvery 0/);
  });

  it('refuses stream ids for undecorated classes and empty ids', () => {
    class Loose extends EventSourcedAggregate {}
    const error = (() => {
      try {
        streamIdFor(Loose, '1');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(UndecoratedAggregateError);
    expect(error?.message).toContain("add @Aggregate('some_category') to the class Loose");
    expect(() => streamIdFor(Account, '')).toThrow(InvalidStreamIdError);
  });

  it('says a snapshot is due when a save passes a multiple of snapshotEvery', () => {
    const metadata = getAggregateMetadata(Account)!;
    expect(isSnapshotDue(metadata, 0, 9)).toBe(false);
    expect(isSnapshotDue(metadata, 0, 10)).toBe(true);
    expect(isSnapshotDue(metadata, 9, 12)).toBe(true);
    expect(isSnapshotDue(metadata, 10, 19)).toBe(false);
    expect(isSnapshotDue(metadata, 18, 31)).toBe(true);
  });
});

describe('@EventSourcingHandler', () => {
  it('lists the handlers of a class', () => {
    const handlers = getEventSourcingHandlers(Account);
    expect(handlers.get(AccountOpened)).toBe('opened');
    expect(handlers.get(MoneyDeposited)).toBe('deposited');
    expect(handlers.has(MoneyWithdrawn)).toBe(false);
  });

  it('refuses two handlers of one event class in one aggregate', () => {
    expect(() => {
      class Twice extends EventSourcedAggregate {
        @EventSourcingHandler(MoneyDeposited)
        a(): void {}

        @EventSourcingHandler(MoneyDeposited)
        b(): void {}
      }
      return Twice;
    }).toThrow(/Twice\.a already handles MoneyDeposited/);
  });

  it('lets a subclass add and override handlers without changing its parent', () => {
    class Bonus extends Account {
      @EventSourcingHandler(MoneyDeposited)
      private depositedWithBonus(event: MoneyDeposited): void {
        this.balance += event.amount * 2;
      }
    }
    const bonus = new Bonus('b-1');
    bonus.loadFromHistory(history());
    expect(bonus.balance).toBe(170);
    expect(bonus.openedAt).toEqual(openedAt); // inherited handler still found
    expect(getEventSourcingHandlers(Account).get(MoneyDeposited)).toBe('deposited');
  });
});

describe('EventSourcedAggregate', () => {
  it('finds handlers by decorator and by the on<EventName> convention, decorator first', () => {
    const account = new Account('a-1');
    account.loadFromHistory(history());
    expect(account.balance).toBe(70);
    expect(account.openedAt).toBe(openedAt);
    expect(account.handled).toEqual(['opened', 'deposited', 'onMoneyWithdrawn']);
  });

  it('has id, and version 0 when new', () => {
    const account = new Account('a-1');
    expect(account.id).toBe('a-1');
    expect(account.version).toBe(0);
    expect(account.persistedVersion).toBe(0);
    expect(account.hasUncommittedEvents).toBe(false);
  });

  it('counts history into version and persistedVersion, new events into version only', () => {
    const account = new Account('a-1');
    account.loadFromHistory(history());
    expect(account.version).toBe(3);
    expect(account.persistedVersion).toBe(3);
    expect(account.getUncommittedEvents()).toEqual([]);

    account.deposit(5);
    account.withdraw(10);
    expect(account.version).toBe(5);
    expect(account.persistedVersion).toBe(3);
    expect(account.getUncommittedEvents()).toEqual([new MoneyDeposited(5), new MoneyWithdrawn(10)]);
    expect(account.balance).toBe(65);
  });

  it('takes the stream version from loadFromHistory when given', () => {
    const account = new Account('a-1');
    account.loadFromHistory(history(), 7); // e.g. some stored events were skipped on reading
    expect(account.version).toBe(7);
    expect(account.persistedVersion).toBe(7);
  });

  it('moves persistedVersion on markSaved, keeps events until commit, and publishes on commit', () => {
    const published: IEvent[][] = [];
    const account = Account.open('a-1', openedAt);
    account.publishAll = (events) => published.push([...events]); // what EventPublisher does
    account.deposit(10);

    const events = account.getUncommittedEvents();
    account.markSaved(2);
    expect(account.version).toBe(2);
    expect(account.persistedVersion).toBe(2);
    expect(account.getUncommittedEvents()).toHaveLength(2);

    account.commit();
    expect(account.getUncommittedEvents()).toEqual([]);
    expect(published).toEqual([[new AccountOpened('a-1', openedAt), new MoneyDeposited(10)]]);
    // getUncommittedEvents returned a copy, still usable after commit
    expect(events).toHaveLength(2);
  });

  it('keeps state unchanged when a command refuses', () => {
    const account = new Account('a-1');
    account.loadFromHistory(history());
    expect(() => account.withdraw(1000)).toThrow('insufficient funds');
    expect(account.balance).toBe(70);
    expect(account.version).toBe(3);
    expect(account.getUncommittedEvents()).toEqual([]);
  });

  it('refuses to load history over unsaved events', () => {
    const account = Account.open('a-1', openedAt);
    expect(() => account.loadFromHistory(history())).toThrow(AggregateUnsavedEventsError);
    expect(() => account.loadFromHistory(history())).toThrow(/1 unsaved event/);
  });

  it('refuses to apply events with autoCommit on', () => {
    const account = new Account('a-1');
    account.autoCommit = true;
    expect(() => account.deposit(1)).toThrow(EventSourcingError);
    expect(() => account.deposit(1)).toThrow(AggregateAutoCommitError);
    expect(() => account.deposit(1)).toThrow(/autoCommit/);
  });

  describe('snapshots', () => {
    it('snapshots own state without id, functions or internals', () => {
      const account = new Account('a-1');
      account.loadFromHistory(history());
      account.publish = () => undefined; // an own function, as EventPublisher.mergeObjectContext adds
      const snapshot = account.toSnapshot() as Record<string, unknown>;
      expect(Object.keys(snapshot).sort()).toEqual([
        'balance',
        'handled',
        'openedAt',
        'owner',
        'tags',
      ]);
      expect(snapshot.balance).toBe(70);
    });

    it('restores a snapshot after a JSON round trip, with Dates, nested objects and version', () => {
      const original = new Account('a-1');
      original.loadFromHistory(history());
      original.tag('vip');
      original.markSaved(4);
      original.commit();
      const json = JSON.parse(JSON.stringify(original.toSnapshot())) as unknown;

      const restored = new Account('a-1');
      restored.restoreSnapshot(json, 4);
      expect(restored.version).toBe(4);
      expect(restored.persistedVersion).toBe(4);
      expect(restored.openedAt).toBeInstanceOf(Date);
      expect(restored.openedAt?.getTime()).toBe(openedAt.getTime());
      expect(restored.owner).toEqual({ name: 'Ada', address: { city: 'London' } });
      expect(restored.tags).toEqual(['vip']);
      expect(restored.balance).toBe(70);

      restored.loadFromHistory([new MoneyDeposited(1), new MoneyDeposited(2)], 6);
      expect(restored.balance).toBe(73);
      expect(restored.version).toBe(6);
      expect(restored.persistedVersion).toBe(6);
    });

    it('never overwrites the id from a snapshot', () => {
      const account = new Account('a-2');
      account.restoreSnapshot({ id: 'other', balance: 5 }, 1);
      expect(account.id).toBe('a-2');
      expect(account.balance).toBe(5);
    });

    it('uses overridden toSnapshot / fromSnapshot', () => {
      @Aggregate('counter')
      class Counter extends EventSourcedAggregate {
        seen = new Set<string>();
        override toSnapshot(): unknown {
          return [...this.seen];
        }
        protected override fromSnapshot(state: unknown): void {
          this.seen = new Set(state as string[]);
        }
      }
      const counter = new Counter('c-1');
      counter.seen.add('a').add('b');
      const restored = new Counter('c-1');
      restored.restoreSnapshot(JSON.parse(JSON.stringify(counter.toSnapshot())), 2);
      expect(restored.seen).toEqual(new Set(['a', 'b']));
      expect(restored.version).toBe(2);
    });

    it('refuses a non-object snapshot by default', () => {
      expect(() => new Account('a-1').restoreSnapshot('nope', 1)).toThrow(
        InvalidSnapshotStateError,
      );
      expect(() => new Account('a-1').restoreSnapshot('nope', 1)).toThrow(/override fromSnapshot/);
    });
  });
});

describe('AggregateNotFoundError', () => {
  it('names the stream and points to find()', () => {
    const error = new AggregateNotFoundError('account-9', 'Account');
    expect(error).toBeInstanceOf(EventSourcingError);
    expect(error.name).toBe('AggregateNotFoundError');
    expect(error.message).toContain('account-9');
    expect(error.message).toContain('find()');
  });
});
