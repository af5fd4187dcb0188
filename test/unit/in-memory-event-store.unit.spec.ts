import { InMemoryEventStore } from 'nestjs-event-sourcing';
import { describeEventStoreContract } from '../contract/event-store.contract.js';

describeEventStoreContract('in-memory', () =>
  Promise.resolve({
    store: new InMemoryEventStore(),
    teardown: () => Promise.resolve(),
  }),
);
