import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForeignTransactionError } from '../../lib/core/errors/foreign-transaction.error.js';
import { MissingHeadRowError } from '../../lib/core/errors/missing-head-row.error.js';
import { InvalidOptionsError } from '../../lib/core/errors/invalid-options.error.js';
import { TypeOrmEventStore } from '../../lib/sql/typeorm-event-store.js';
import { TypeOrmSubscriptionStore } from '../../lib/sql/typeorm-subscription-store.js';
import { TypeOrmScheduledMessageStore } from '../../lib/sql/typeorm-scheduled-message-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js';

describe.each(['sqlite', 'postgres', 'mariadb'] as const)('SQL store errors on %s', (kind) => {
  let db: TestDatabase;
  let store: TypeOrmEventStore;
  let subscriptions: TypeOrmSubscriptionStore;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    store = new TypeOrmEventStore(db.dataSource, { schema: db.schema });
    subscriptions = new TypeOrmSubscriptionStore(db.dataSource, { schema: db.schema });
    await store.migrate();
    await subscriptions.migrate();
  });

  afterAll(async () => {
    await db.drop();
  });

  it('refuses a transaction handle that is not a TypeORM EntityManager, and writes nothing', async () => {
    const foreign = { query: 'not a manager' };
    await expect(
      store.appendToStream('order-1', [{ type: 'placed', data: {} }], { manager: foreign }),
    ).rejects.toBeInstanceOf(ForeignTransactionError);
    expect(await store.streamVersion('order-1')).toBe(0);
    await expect(
      subscriptions.saveCheckpoint('p', store.dialect.startCheckpoint, { manager: foreign }),
    ).rejects.toThrow(/not a TypeORM EntityManager; pass the manager of a transaction/);
    expect(await subscriptions.load('p')).toBeUndefined();
  });

  it('refuses a foreign handle in the saga stores too', async () => {
    const scheduled = new TypeOrmScheduledMessageStore(db.dataSource, { schema: db.schema });
    await expect(scheduled.cancel('s', 'i', 'k', { manager: {} })).rejects.toBeInstanceOf(
      ForeignTransactionError,
    );
  });
});

describe('SQL store errors on sqlite only', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('says to use tablePrefix when a schema is named', () => {
    expect(() => new TypeOrmEventStore(db.dataSource, { schema: 'other' })).toThrow(
      InvalidOptionsError,
    );
    expect(() => new TypeOrmEventStore(db.dataSource, { schema: 'other' })).toThrow(/tablePrefix/);
  });
});

describe('SQL store errors on mariadb only', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('mariadb');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('says to run the migration when the head row is gone, in and outside a transaction', async () => {
    const head = new TypeOrmEventStore(db.dataSource, { tablePrefix: 'nohead_' });
    await head.migrate();
    await db.dataSource.query('DELETE FROM `nohead_head`');
    const events = [{ type: 'placed', data: {} }];
    await expect(head.appendToStream('order-2', events)).rejects.toBeInstanceOf(
      MissingHeadRowError,
    );
    await expect(
      db.dataSource.transaction((manager) => head.appendToStream('order-2', events, { manager })),
    ).rejects.toThrow(/head row of `nohead_head` is missing.*run the event store migration/);
    expect(await head.streamVersion('order-2')).toBe(0);
  });
});
