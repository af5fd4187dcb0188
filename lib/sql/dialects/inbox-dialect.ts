import type { SqlRunner } from './sql-dialect.js';

/** What differs between databases for the forwarding inbox (`<prefix>inbox`). */
export interface InboxDialect {
  /** Type and default of the `received_at` column. */
  readonly receivedAtColumn: string;
  /**
   * Records (handler, event id) unless it is recorded already; true when this call recorded it.
   * In a transaction, a concurrent first claim makes it wait until that one commits or rolls back.
   */
  claim(run: SqlRunner, table: string, handler: string, eventId: string): Promise<boolean>;
}

/** The claim of databases with `INSERT ... ON CONFLICT DO NOTHING RETURNING` (PostgreSQL, SQLite). */
export async function claimOnConflictReturning(
  run: SqlRunner,
  table: string,
  handler: string,
  eventId: string,
): Promise<boolean> {
  const result = await run(
    `INSERT INTO ${table} (handler, event_id) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING event_id`,
    [handler, eventId],
  );
  return result.records.length === 1;
}
