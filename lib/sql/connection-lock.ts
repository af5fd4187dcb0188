import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource } from 'typeorm';

/**
 * better-sqlite3 gives a TypeORM DataSource one connection, shared by every caller: a statement
 * sent while another caller's transaction is open runs inside that transaction (and a second
 * `transaction()` becomes a savepoint of the first). Work that must not interleave runs under this
 * lock, one at a time per DataSource. It is re-entrant: code called from inside the locked work
 * (a batch handler, say) passes straight through. Other drivers have a pool: no lock.
 */
class ConnectionLock {
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

const locks = new WeakMap<DataSource, ConnectionLock>();

/** Runs `work` alone on the DataSource's connection when that is a single shared SQLite connection. */
export function withConnectionLock<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  if (dataSource.options.type !== 'better-sqlite3') return work();
  let lock = locks.get(dataSource);
  if (!lock) {
    lock = new ConnectionLock();
    locks.set(dataSource, lock);
  }
  return lock.run(work);
}
