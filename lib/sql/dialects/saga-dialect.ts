/** Quoted, schema-qualified names of the saga tables, and the prefix for constraint names. */
export interface SagaTables {
  failures: string;
  scheduled: string;
  prefix: string;
}

/**
 * What differs between databases for the saga tables, and nothing else: DDL, how a time and a JSON
 * value are written and read, and upserts. Times are the application's (its injectable `Clock`),
 * not the database's. SQL uses `?` placeholders; the event store dialect's `bind` turns them into
 * `$n` on PostgreSQL.
 */
export interface SagaDialect {
  /** Idempotent DDL of `<prefix>saga_failures` and `<prefix>scheduled_messages`. */
  schemaStatements(t: SagaTables, schema?: string): string[];
  /** The placeholder of a time parameter, and the value to bind for a Date. */
  readonly timeParam: string;
  toTime(date: Date): unknown;
  /** The placeholder of a JSON parameter (bound as JSON text). */
  readonly jsonParam: string;
  /** Select expressions that read a time (as something `new Date()` takes) and JSON (as text). */
  readTime(column: string): string;
  readJson(column: string): string;
  /** Appended to `INSERT ... VALUES (...)`: on a duplicate key, overwrite `columns`. */
  onConflictUpdate(keys: string[], columns: string[]): string;
  /** Appended to `INSERT ... VALUES (...)`: on a duplicate key, write nothing. */
  onConflictIgnore(keys: string[]): string;
}

export const STATUS_CHECK = "status IN ('pending', 'delivered', 'cancelled', 'failed')";
export const KIND_CHECK = "kind IN ('command', 'event')";
