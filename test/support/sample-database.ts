import type { SampleDatabase } from '../../sample-app/src/database-options.js';
import type { TestDatabase } from './test-databases.js';

/** The sample app's database options for a test database. */
export function sampleDatabaseOf(db: TestDatabase): SampleDatabase {
  const o = db.options as { url?: string; database?: string };
  if (db.kind === 'postgres') return { type: 'postgres', url: o.url, schema: db.schema };
  if (db.kind === 'mariadb') return { type: 'mariadb', url: o.url };
  return { type: 'better-sqlite3', database: o.database };
}
