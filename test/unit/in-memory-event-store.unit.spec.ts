import { InMemoryEventStore, InMemorySnapshotStore } from 'nestjs-event-sourcing';
import { describeAppendTransactionContract } from '../contract/append-transaction.contract.js';
import { describeEventStoreContract } from '../contract/event-store.contract.js';
import { describeReadHistoryContract } from '../contract/read-history.contract.js';

describeEventStoreContract('in-memory', () =>
  Promise.resolve({
    store: new InMemoryEventStore(),
    teardown: () => Promise.resolve(),
  }),
);

describeReadHistoryContract('in-memory', () =>
  Promise.resolve({
    store: new InMemoryEventStore(),
    snapshots: new InMemorySnapshotStore(),
    teardown: () => Promise.resolve(),
  }),
);
describeAppendTransactionContract('in-memory', () =>
  Promise.resolve({
    store: new InMemoryEventStore(),
    teardown: () => Promise.resolve(),
  }),
);
