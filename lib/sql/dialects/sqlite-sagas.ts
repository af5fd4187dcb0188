import { STATUS_CHECK, KIND_CHECK, type SagaDialect, type SagaTables } from './saga-dialect.js';

/** SQLite: times as ISO-8601 UTC text with milliseconds (they compare as text), JSON as text. */
export class SqliteSagas implements SagaDialect {
  readonly timeParam = '?';
  readonly jsonParam = '?';

  schemaStatements(t: SagaTables): string[] {
    return [
      `CREATE TABLE IF NOT EXISTS ${t.failures} (
  saga TEXT NOT NULL,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  stream_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  position INTEGER NOT NULL,
  checkpoint TEXT NOT NULL,
  error TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  failed_at TEXT NOT NULL,
  PRIMARY KEY (saga, event_id)
)`,
      `CREATE TABLE IF NOT EXISTS ${t.scheduled} (
  id TEXT NOT NULL PRIMARY KEY,
  saga TEXT NOT NULL,
  instance TEXT NOT NULL,
  schedule_key TEXT NULL,
  kind TEXT NOT NULL CHECK (${KIND_CHECK}),
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  metadata TEXT NOT NULL,
  due_at TEXT NOT NULL,
  wait_for TEXT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (${STATUS_CHECK}),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
)`,
      `CREATE INDEX IF NOT EXISTS "${t.prefix}scheduled_messages_due" ON ${t.scheduled} (status, due_at)`,
      `CREATE INDEX IF NOT EXISTS "${t.prefix}scheduled_messages_key" ON ${t.scheduled} (saga, instance, schedule_key)`,
    ];
  }

  toTime(date: Date): unknown {
    return date.toISOString();
  }

  readTime(column: string): string {
    return column;
  }

  readJson(column: string): string {
    return column;
  }

  onConflictUpdate(keys: string[], columns: string[]): string {
    const set = columns.map((c) => `${c} = excluded.${c}`).join(', ');
    return `ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${set}`;
  }

  onConflictIgnore(keys: string[]): string {
    return `ON CONFLICT (${keys.join(', ')}) DO NOTHING`;
  }
}
