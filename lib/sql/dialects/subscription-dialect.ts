import type { SqlRunner } from './sql-dialect.js';

/**
 * What differs between databases for the subscriptions table, and nothing else: DDL, the database
 * clock, null-safe comparison, how a time and a JSON value are read, and the lease upsert. SQL is
 * written with `?` placeholders; the event store dialect's `bind` turns them into `$n` on PostgreSQL.
 */
export interface SubscriptionDialect {
  /** Idempotent DDL for the table (and its schema or database when one is named). */
  schemaStatements(table: string, prefix: string, schema?: string): string[];
  /** The database's current time, in the form the time columns store. */
  readonly now: string;
  /** The database's current time plus `?` milliseconds. */
  readonly nowPlusMs: string;
  /** The select list of a row, times and JSON read as text where the driver would convert them. */
  readonly columns: string;
  /** Appended to `INSERT ... VALUES (...)` to skip a row whose name exists. */
  readonly onConflictDoNothing: string;
  /**
   * A statement that takes the database's write lock and changes nothing, run first in each batch
   * where a transaction takes the lock only at its first write (SQLite).
   */
  takeWriteLock?(table: string): string;
  /** `column` equals `?`, where NULL equals NULL. */
  sameAs(column: string): string;
  /**
   * Takes or extends the lease in one atomic statement, by the database clock: succeeds when the
   * row has no owner, this owner, or an expired lease (and creates the row when there is none).
   */
  tryAcquireLease(
    run: SqlRunner,
    table: string,
    name: string,
    owner: string,
    ttlMs: number,
  ): Promise<boolean>;
}

/** Columns every dialect selects as they are. */
export const PLAIN_COLUMNS =
  'name, checkpoint, state, lease_owner, last_error, failed_position, failed_checkpoint';
