import type { DataSource } from 'typeorm';
import { ConnectionAcquireTimeoutError } from '../../core/errors/connection-acquire-timeout.error.js';

type Callback = (error: Error | null, ...rest: unknown[]) => void;
interface MysqlPool {
  getConnection?: (cb: Callback) => void;
  config?: { connectionLimit?: number };
}

const GUARDED = Symbol('acquire timeout');

/**
 * MySQL/MariaDB: mysql2 3.24 has no acquire timeout (its pool queues a request forever;
 * `queueLimit` bounds only the queue's length, `connectTimeout` only the TCP handshake), so the
 * pool's `getConnection` is given one, and a connection that arrives after the timeout goes back.
 *
 * Why TypeORM's `driver.pool` (public in its typings, undocumented): the pool exists before the
 * module sees an initialised DataSource, and neither TypeORM nor mysql2 offers a hook for this.
 */
export function guardMysqlPoolAcquire(dataSource: DataSource, timeoutMs: number): void {
  const pool = (dataSource.driver as unknown as { pool?: MysqlPool }).pool;
  if (!pool?.getConnection) return;
  const getConnection = pool.getConnection.bind(pool);
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
