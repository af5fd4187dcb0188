import { describeAppendTransactionContract } from '../contract/append-transaction.contract.js';
import { describeEventStoreContract } from '../contract/event-store.contract.js';
import { describeReadHistoryContract } from '../contract/read-history.contract.js';
import { describeTypeOrmStore } from './typeorm-event-store.suite.js';
import { createTypeOrmStore } from '../support/typeorm-store.js';

describeEventStoreContract('sqlite', () => createTypeOrmStore('sqlite'));
describeAppendTransactionContract('sqlite', () => createTypeOrmStore('sqlite'));
describeTypeOrmStore('sqlite');
describeReadHistoryContract('sqlite', async () => {
  const subject = await createTypeOrmStore('sqlite');
  return { ...subject, snapshots: subject.store.createSnapshotStore() };
});
