import { describeAppendTransactionContract } from '../contract/append-transaction.contract.js';
import { describeEventStoreContract } from '../contract/event-store.contract.js';
import { describeReadHistoryContract } from '../contract/read-history.contract.js';
import { describeTypeOrmStore } from './typeorm-event-store.suite.js';
import { createTypeOrmStore } from '../support/typeorm-store.js';

describeEventStoreContract('mariadb', () => createTypeOrmStore('mariadb'));
describeAppendTransactionContract('mariadb', () => createTypeOrmStore('mariadb'));
describeTypeOrmStore('mariadb');
describeReadHistoryContract('mariadb', async () => {
  const subject = await createTypeOrmStore('mariadb');
  return { ...subject, snapshots: subject.store.createSnapshotStore() };
});
