import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  parkedPartitionStoreContract,
  sagaFailureStoreContract,
  scheduledMessageStoreContract,
  subscriptionStoreContract,
  type ContractCase,
} from 'nestjs-event-sourcing/testing';
import { TypeOrmParkedPartitionStore } from '../../lib/sql/typeorm-parked-partition-store.js';
import { TypeOrmSagaFailureStore } from '../../lib/sql/typeorm-saga-failure-store.js';
import { TypeOrmSagaSchema } from '../../lib/sql/typeorm-saga-schema.js';
import { TypeOrmScheduledMessageStore } from '../../lib/sql/typeorm-scheduled-message-store.js';
import { TypeOrmSubscriptionStore } from '../../lib/sql/typeorm-subscription-store.js';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './test-databases.js';

/**
 * The shipped contract suites against the SQL stores on one database (a schema or database of
 * this test file's own). The scheduled message cases each get empty tables (a prefix per case).
 */
export function describeSqlStoreContracts(kind: DatabaseKind): void {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await db?.drop();
  });

  const options = () => ({ schema: db.schema });
  const once = <T>(make: () => Promise<T>) => {
    let made: Promise<T> | undefined;
    return () => (made ??= make());
  };
  const register = (cases: ContractCase[]) => {
    for (const c of cases) it(c.name, c.run);
  };

  describe(`TypeOrmSubscriptionStore on ${kind} (contract)`, () => {
    const store = once(async () => {
      const s = new TypeOrmSubscriptionStore(db.dataSource, options());
      await s.migrate();
      return s;
    });
    register(subscriptionStoreContract(store));
  });

  describe(`TypeOrmSagaFailureStore on ${kind} (contract)`, () => {
    const store = once(async () => {
      await new TypeOrmSagaSchema(db.dataSource, options()).migrate();
      return new TypeOrmSagaFailureStore(db.dataSource, options());
    });
    register(sagaFailureStoreContract(store));
  });

  describe(`TypeOrmParkedPartitionStore on ${kind} (contract)`, () => {
    const store = once(async () => {
      const s = new TypeOrmParkedPartitionStore(db.dataSource, options());
      await s.migrate();
      return s;
    });
    // A batch's unit of work on the same database: the store joins it through its manager.
    const unitOfWork = {
      run: <T>(work: (ctx: { manager?: object }) => Promise<T>) =>
        new TypeOrmSubscriptionStore(db.dataSource, options()).unitOfWork().run(work),
    };
    register(parkedPartitionStoreContract(store, { unitOfWork }));
  });

  describe(`TypeOrmScheduledMessageStore on ${kind} (contract)`, () => {
    let n = 0;
    register(
      scheduledMessageStoreContract(async () => {
        const prefixed = { ...options(), tablePrefix: `sm${++n}_` };
        await new TypeOrmSagaSchema(db.dataSource, prefixed).migrate();
        return new TypeOrmScheduledMessageStore(db.dataSource, prefixed);
      }),
    );
  });
}
