import { describeAppendTransactionContract } from '../contract/append-transaction.contract.js';
import { describeEventStoreContract } from '../contract/event-store.contract.js';
import { describeReadHistoryContract } from '../contract/read-history.contract.js';
import { describeTypeOrmStore } from './typeorm-event-store.suite.js';
import { createTypeOrmStore } from '../support/typeorm-store.js';

describeEventStoreContract('postgres', () => createTypeOrmStore('postgres'));
describeAppendTransactionContract('postgres', () => createTypeOrmStore('postgres'));
describeTypeOrmStore('postgres');
describeReadHistoryContract('postgres', async () => {
  const subject = await createTypeOrmStore('postgres');
  return { ...subject, snapshots: subject.store.createSnapshotStore() };
});
