import { TypeOrmEventStore } from 'nestjs-event-sourcing';
import type { StoreUnderTest } from '../contract/event-store.contract.js';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './test-databases.js';

/** A migrated TypeOrmEventStore on a database of its own. */
export async function createTypeOrmStore(
  kind: DatabaseKind,
): Promise<StoreUnderTest & { store: TypeOrmEventStore; db: TestDatabase }> {
  const db = await createTestDatabase(kind);
  const store = new TypeOrmEventStore(db.dataSource, { schema: db.schema });
  await store.migrate();
  return { store, db, teardown: () => db.drop() };
}
