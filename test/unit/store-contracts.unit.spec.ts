import { describe, it } from 'vitest';
import {
  parkedPartitionStoreContract,
  sagaFailureStoreContract,
  scheduledMessageStoreContract,
  subscriptionStoreContract,
} from 'nestjs-event-sourcing/testing';
import { InMemorySubscriptionStore } from '../../lib/core/in-memory/in-memory-subscription-store.js';
import { InMemorySagaFailureStore } from '../../lib/core/saga-failure-store.js';
import { InMemoryParkedPartitionStore } from '../../lib/core/parked-partition-store.js';
import { InMemoryScheduledMessageStore } from '../../lib/core/scheduled-message-store.js';
import { registerContractSuites } from '../../docs/snippets/store-contract.js';

// The reference implementations against the shipped contract suites. Their units of work run the
// batch as it is (no transaction): the cases that need a rollback are left out for them.
describe('InMemorySubscriptionStore (contract)', () => {
  const store = new InMemorySubscriptionStore();
  for (const c of subscriptionStoreContract(() => store, { atomicUnitOfWork: false })) {
    it(c.name, c.run);
  }
});

describe('InMemorySagaFailureStore (contract)', () => {
  const store = new InMemorySagaFailureStore();
  for (const c of sagaFailureStoreContract(() => store)) it(c.name, c.run);
});

describe('InMemoryParkedPartitionStore (contract)', () => {
  const store = new InMemoryParkedPartitionStore();
  for (const c of parkedPartitionStoreContract(() => store)) it(c.name, c.run);
});

describe('InMemoryScheduledMessageStore (contract)', () => {
  const cases = scheduledMessageStoreContract(() => new InMemoryScheduledMessageStore(), {
    atomicUnitOfWork: false,
  });
  for (const c of cases) it(c.name, c.run);
});

// The README's example, as written (its stand-in stores are the in-memory ones).
describe('README: contract suites for your own store', () => registerContractSuites());
