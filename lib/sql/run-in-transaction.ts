import type { DataSource, EntityManager } from 'typeorm';
import { withConnectionLock } from './connection-lock.js';

/**
 * `dataSource.transaction(work)`, safe to call concurrently on every database the library
 * supports. On better-sqlite3 the DataSource has one shared connection: two transactions opened
 * at once would interleave on it (the second becoming a savepoint of the first), so they run one
 * after the other, like the library's own. Pass `manager` to `save` / `appendToStream`.
 */
export function runInTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return withConnectionLock(dataSource, () => dataSource.transaction(work));
}
