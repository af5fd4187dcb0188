import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import {
  AggregateNotFoundError,
  EventStore,
  InMemoryEventStore,
  getAggregateRepositoryToken,
  type AggregateRepository,
} from 'nestjs-event-sourcing';
import { EventSourcingTestingModule, forAggregate } from 'nestjs-event-sourcing/testing';
import {
  Account,
  InsufficientFunds,
  MoneyDeposited,
  MoneyWithdrawn,
} from '../support/account.domain.js';

describe('testing kit', () => {
  it('boots the module on the in-memory store with repositories', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [EventSourcingTestingModule.forRoot({ aggregates: [Account] })],
    }).compile();
    await moduleRef.init();
    expect(moduleRef.get(EventStore)).toBeInstanceOf(InMemoryEventStore);
    const accounts = moduleRef.get<AggregateRepository<Account>>(
      getAggregateRepositoryToken(Account),
    );
    await expect(accounts.load('nobody')).rejects.toThrow(AggregateNotFoundError);
    const account = Account.open('a1', 'ada');
    account.deposit(3);
    await accounts.save(account);
    expect((await accounts.load('a1')).balance).toBe(3);
    await moduleRef.close();
  });

  it('given/when/then drives an aggregate without a store', () => {
    forAggregate(Account, 'a2')
      .given([new MoneyDeposited('a2', 10)])
      .when((account) => account.withdraw(4))
      .then([new MoneyWithdrawn('a2', 4)]);
    forAggregate(Account, 'a2')
      .given([new MoneyDeposited('a2', 1)])
      .when((account) => account.withdraw(4))
      .thenThrows(InsufficientFunds);
  });

  it('rejects boot when an aggregate handler names an undecorated event class', async () => {
    const { Aggregate, EventSourcedAggregate, EventSourcingHandler } =
      await import('nestjs-event-sourcing');
    class Plain {
      constructor(readonly n: number) {}
    }
    @Aggregate('broken')
    class Broken extends EventSourcedAggregate {
      @EventSourcingHandler(Plain)
      on(_event: Plain) {}
    }
    const boot = Test.createTestingModule({
      imports: [EventSourcingTestingModule.forRoot({ aggregates: [Broken] })],
    }).compile();
    await expect(boot).rejects.toThrow(
      /Broken handles Plain with @EventSourcingHandler, but Plain has no @DomainEvent/,
    );
  });
});
