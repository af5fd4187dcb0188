import type { DataSource } from 'typeorm';
import { ConnectionAcquireTimeoutError } from '../../core/errors/connection-acquire-timeout.error.js';

type Callback = (error: Error | null, ...rest: unknown[]) => void;
interface PgPool {
  connect?: (cb?: Callback) => unknown;
  options?: { max?: number; connectionTimeoutMillis?: number };
}

/**
 * PostgreSQL: pg-pool's `connectionTimeoutMillis` does the waiting; its error is given a type here.
 *
 * Why TypeORM's `driver.master` (public in its typings, undocumented): the pool already exists
 * when the module is handed an initialised DataSource, and TypeORM has no API to change a live
 * pool's options or to see its acquire errors. pg-pool reads its options on every connect, so the
 * limit applies from now on; `connect` is wrapped only to turn pg's timeout into
 * `ConnectionAcquireTimeoutError`.
 */
export function guardPostgresPoolAcquire(dataSource: DataSource, timeoutMs: number): void {
  const pool = (dataSource.driver as unknown as { master?: PgPool }).master;
  if (!pool?.connect) return;
  pool.options = { ...pool.options, connectionTimeoutMillis: timeoutMs };
  const connect = pool.connect.bind(pool);
  const typed = (error: Error | null) =>
    error && /timeout exceeded when trying to connect/.test(error.message)
      ? new ConnectionAcquireTimeoutError(timeoutMs, pool.options?.max)
      : error;
  pool.connect = (cb?: Callback) => {
    if (!cb) {
      return (connect() as Promise<unknown>).catch((error: Error) => {
        throw typed(error) ?? error;
      });
    }
    return connect((error, ...rest) => cb(typed(error), ...rest));
  };
}
