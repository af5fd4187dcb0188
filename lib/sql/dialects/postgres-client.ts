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

/**
 * Runs `work` on a pool checkout and gives the client back: as it was on success, destroyed after
 * a failure (like pg's `pool.query`, a client whose statement failed is not trusted back).
 * node-postgres emits 'error' on a client whose connection drops, besides rejecting the statement
 * in flight, and pg-pool listens only while the client is idle: without the listener held here, a
 * network cut during a statement would be an uncaught exception that ends the process.
 */
export async function withPgClient<T>(
  dataSource: DataSource,
  work: (client: PgClient) => Promise<T>,
): Promise<T> {
  const client = await checkOutPgClient(dataSource);
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost = error;
  };
  client.on('error', onError);
  try {
    const result = await work(client);
    client.removeListener('error', onError);
    client.release(lost);
    return result;
  } catch (error) {
    client.removeListener('error', onError);
    client.release(error as Error);
    throw error;
  }
}
