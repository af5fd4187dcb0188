import { InMemoryEventStore } from 'nestjs-event-sourcing';
import { describeAppendTransactionContract } from '../contract/append-transaction.contract.js';
import { describeEventStoreContract } from '../contract/event-store.contract.js';

describeEventStoreContract('in-memory', () =>
  Promise.resolve({
    store: new InMemoryEventStore(),
    teardown: () => Promise.resolve(),
  }),
);
describeAppendTransactionContract('in-memory', () =>
  Promise.resolve({
    store: new InMemoryEventStore(),
    teardown: () => Promise.resolve(),
  }),
);
