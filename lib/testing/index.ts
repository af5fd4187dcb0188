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
