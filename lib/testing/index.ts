// The `nestjs-event-sourcing/testing` entry point: helpers for the tests of applications built on
// the library. Explicit named exports only; nothing here is imported by the library itself.

// Given/when/then tests of aggregates, without a store or a Nest module.
export {
  forAggregate,
  AggregateFixture,
  AggregateFixtureWhen,
  type ErrorClass,
  type FixtureOutcome,
} from './aggregate-fixture.js';

// The module on the in-memory store, for Nest's Test.createTestingModule.
export {
  EventSourcingTestingModule,
  type EventSourcingTestingOptions,
} from './event-sourcing-testing.module.js';

// Contract suites for people who write their own store: each returns named cases that assert with
// node:assert, for any test runner (`for (const c of cases) it(c.name, c.run)`).
export { type ContractCase, type StoreFactory } from './contract/contract-case.js';
export {
  subscriptionStoreContract,
  type SubscriptionStoreContractOptions,
} from './contract/subscription-store.contract.js';
export { sagaFailureStoreContract } from './contract/saga-failure-store.contract.js';
export {
  parkedPartitionStoreContract,
  type ParkedPartitionStoreContractOptions,
} from './contract/parked-partition-store.contract.js';
export {
  scheduledMessageStoreContract,
  type ScheduledMessageStoreContractOptions,
} from './contract/scheduled-message-store.contract.js';
