import type { DataSource } from 'typeorm';
import { ConnectionAcquireTimeoutError } from '../core/errors/connection-acquire-timeout.error.js';

type Callback = (error: Error | null, ...rest: unknown[]) => void;
interface CallbackPool {
  connect?: (cb?: Callback) => unknown;
  getConnection?: (cb: Callback) => void;
  options?: { max?: number; connectionTimeoutMillis?: number };
  config?: { connectionLimit?: number };
}

const GUARDED = Symbol('acquire timeout');

/**
 * Makes waiting for a pooled connection end after `timeoutMs` with `ConnectionAcquireTimeoutError`
 * instead of hanging: a starved pool then fails requests fast and the application can shut down.
 * PostgreSQL: pg-pool's `connectionTimeoutMillis` does the waiting; its error is given a type here.
 * MySQL/MariaDB: mysql2 3.24 has no acquire timeout (its pool queues a request forever;
 * `queueLimit` bounds only the queue's length, `connectTimeout` only the TCP handshake), so the
 * pool's `getConnection` is given one, and a connection that arrives after the timeout goes back.
 */
export function guardPoolAcquire(dataSource: DataSource, timeoutMs: number): void {
  const driver = dataSource.driver as unknown as { master?: CallbackPool; pool?: CallbackPool };
  const type = dataSource.options.type;
  if (type === 'postgres' && driver.master?.connect) {
    const pool = driver.master;
    // pg-pool reads its options on every connect: the native limit applies from now on.
    pool.options = { ...pool.options, connectionTimeoutMillis: timeoutMs };
    const connect = pool.connect!.bind(pool);
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
    return;
  }
  if ((type === 'mysql' || type === 'mariadb') && driver.pool?.getConnection) {
    const pool = driver.pool;
    const getConnection = pool.getConnection!.bind(pool);
    pool.getConnection = (cb: Callback & { [GUARDED]?: true }) => {
      // mysql2 re-queues a waiting request through getConnection: it keeps its first deadline.
      if (cb[GUARDED]) return getConnection(cb);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        cb(new ConnectionAcquireTimeoutError(timeoutMs, pool.config?.connectionLimit));
      }, timeoutMs);
      const guarded = Object.assign(
        (error: Error | null, connection?: { release(): void }) => {
          if (timedOut) {
            connection?.release();
            return;
          }
          clearTimeout(timer);
          cb(error, connection);
        },
        { [GUARDED]: true as const },
      );
      getConnection(guarded as Callback);
    };
  }
}
