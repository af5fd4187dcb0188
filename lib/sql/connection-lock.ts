import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource } from 'typeorm';
import { dialectFor, SUPPORTED_DATABASE_TYPES } from './dialects/dialect-for.js';
import type { SqlDialect } from './dialects/sql-dialect.js';

/**
 * better-sqlite3 gives a TypeORM DataSource one connection, shared by every caller: a statement
 * sent while another caller's transaction is open runs inside that transaction (and a second
 * `transaction()` becomes a savepoint of the first). Work that must not interleave runs under this
 * lock, one at a time per DataSource. It is re-entrant: code called from inside the locked work
 * (a batch handler, say) passes straight through. Other drivers have a pool: no lock. Whether a
 * DataSource shares one connection is its dialect's answer (`sharedConnection`), asked once.
 */
export class ConnectionLock {
  private tail: Promise<void> = Promise.resolve();
  private holder: object | undefined;
  private readonly context = new AsyncLocalStorage<object>();

  async run<T>(work: () => Promise<T>): Promise<T> {
    const token = this.context.getStore();
    if (token !== undefined && token === this.holder) return work();
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise((resolve) => (release = resolve));
    await previous;
    const own = {};
    this.holder = own;
    try {
      return await this.context.run(own, work);
    } finally {
      this.holder = undefined;
      release();
    }
  }
}

/** Per DataSource: its lock, or null when its connections are pooled (decided once, on first use). */
const locks = new WeakMap<DataSource, ConnectionLock | null>();

/**
 * The lock of a DataSource whose dialect shares one connection among callers; undefined when it
 * pools them. One lock per DataSource, whichever store asks: they all share its connection.
 */
export function connectionLockOf(
  dataSource: DataSource,
  dialect?: Pick<SqlDialect, 'sharedConnection'>,
): ConnectionLock | undefined {
  let lock = locks.get(dataSource);
  if (lock === undefined) {
    const shared = (dialect ?? dialectOrUndefined(dataSource))?.sharedConnection === true;
    lock = shared ? new ConnectionLock() : null;
    locks.set(dataSource, lock);
  }
  return lock ?? undefined;
}

/**
 * Runs `work` alone on the DataSource's connection when that is a single shared one (SQLite). For
 * callers given only a DataSource (`runInTransaction`); the SQL stores resolve the lock once, in
 * their `SqlExecutor`.
 */
export function withConnectionLock<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  const lock = connectionLockOf(dataSource);
  return lock ? lock.run(work) : work();
}

/** A DataSource of a driver the SQL stores do not support has no dialect, and no lock. */
function dialectOrUndefined(dataSource: DataSource): SqlDialect | undefined {
  const type = dataSource.options.type;
  return (SUPPORTED_DATABASE_TYPES as readonly string[]).includes(type)
    ? dialectFor(type)
    : undefined;
}
