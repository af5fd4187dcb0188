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

/** The column types of the saga tables in a database with sized VARCHARs (PostgreSQL, MySQL). */
export interface SagaColumnTypes {
  int: string;
  time: string;
  json: string;
  /** The checkpoint a due message waits for. */
  waitFor: string;
  /** Index definitions inside CREATE TABLE (MySQL has no CREATE INDEX IF NOT EXISTS). */
  inlineIndexes: string[];
  /** After the closing parenthesis (engine, charset). */
  tableOptions: string;
}

/** CREATE TABLE of both saga tables, written once for the databases that share their shape. */
export function sagaTablesSql(t: SagaTables, c: SagaColumnTypes): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${t.failures} (
  saga VARCHAR(200) NOT NULL,
  event_id VARCHAR(64) NOT NULL,
  event_type VARCHAR(255) NOT NULL,
  stream_id VARCHAR(255) NOT NULL,
  version ${c.int} NOT NULL,
  position BIGINT NOT NULL,
  checkpoint TEXT NOT NULL,
  error TEXT NOT NULL,
  attempts ${c.int} NOT NULL,
  failed_at ${c.time} NOT NULL,
  PRIMARY KEY (saga, event_id)
)${c.tableOptions}`,
    `CREATE TABLE IF NOT EXISTS ${t.scheduled} (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  saga VARCHAR(200) NOT NULL,
  instance VARCHAR(255) NOT NULL,
  schedule_key VARCHAR(255) NULL,
  kind VARCHAR(16) NOT NULL,
  type VARCHAR(255) NOT NULL,
  payload ${c.json} NOT NULL,
  metadata ${c.json} NOT NULL,
  due_at ${c.time} NOT NULL,
  wait_for ${c.waitFor} NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'pending',
  attempts ${c.int} NOT NULL DEFAULT 0,
  last_error TEXT NULL,
  created_at ${c.time} NOT NULL,
  updated_at ${c.time} NOT NULL,
${c.inlineIndexes.map((index) => `  ${index},\n`).join('')}  CONSTRAINT ${t.prefix}scheduled_messages_status CHECK (${STATUS_CHECK}),
  CONSTRAINT ${t.prefix}scheduled_messages_kind CHECK (${KIND_CHECK})
)${c.tableOptions}`,
  ];
}
