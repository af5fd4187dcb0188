import {
  InMemorySagaFailureStore,
  InMemoryScheduledMessageStore,
  InMemorySubscriptionStore,
} from 'nestjs-event-sourcing';
import {
  sagaFailureStoreContract,
  scheduledMessageStoreContract,
  subscriptionStoreContract,
} from 'nestjs-event-sourcing/testing';
import { describe, it } from 'vitest';

// Stand-ins for a user's own stores (the README shows how to run the contract suites on them).
export class MySubscriptionStore extends InMemorySubscriptionStore {}
export class MySagaFailureStore extends InMemorySagaFailureStore {}
export class MyScheduledMessageStore extends InMemoryScheduledMessageStore {}

/** Registers the contract suites in the calling test file (the README's example). */
export function registerContractSuites(): void {
  // #region contract-suites
  describe('MySubscriptionStore', () => {
    const store = new MySubscriptionStore();
    // atomicUnitOfWork: false only for a store whose unitOfWork() is not a transaction
    for (const c of subscriptionStoreContract(() => store, { atomicUnitOfWork: false })) {
      it(c.name, c.run);
    }
  });
  describe('MySagaFailureStore', () => {
    const store = new MySagaFailureStore();
    for (const c of sagaFailureStoreContract(() => store)) it(c.name, c.run);
  });
  describe('MyScheduledMessageStore', () => {
    // due() reads across sagas: each case needs an empty store
    const cases = scheduledMessageStoreContract(() => new MyScheduledMessageStore(), {
      atomicUnitOfWork: false,
    });
    for (const c of cases) it(c.name, c.run);
  });
  // #endregion contract-suites
}
