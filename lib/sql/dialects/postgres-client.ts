import type { DataSource } from 'typeorm';

/**
 * The part of a node-postgres client (a pg-pool checkout) the library uses: the one PostgreSQL
 * client interface, for prepared statements and for the LISTEN connection.
 */
export interface PgClient {
  query<R = Record<string, unknown>>(
    config: string | { name?: string; text: string; values?: unknown[] },
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
  on(event: 'notification', listener: (message: { channel: string }) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'end', listener: () => void): void;
  removeListener(event: string, listener: (...args: never[]) => void): void;
  /** Back to the pool; an error or `true` destroys the connection instead. */
  release(error?: Error | boolean): void;
}

/**
 * A client checked out of the DataSource's pool through TypeORM's public
 * `Driver.obtainMasterConnection()` (PostgreSQL answers `[client, release]`): no query runner to
 * create and release on the hot paths. Give it back with `client.release()`.
 */
export async function checkOutPgClient(dataSource: DataSource): Promise<PgClient> {
  const [client] = (await dataSource.driver.obtainMasterConnection()) as [PgClient, unknown];
  return client;
}
