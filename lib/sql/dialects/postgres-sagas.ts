import { STATUS_CHECK, KIND_CHECK, type SagaDialect, type SagaTables } from './saga-dialect.js';

/** PostgreSQL: TIMESTAMPTZ, JSONB, `INSERT ... ON CONFLICT`. */
export class PostgresSagas implements SagaDialect {
  readonly timeParam = '?::timestamptz';
  readonly jsonParam = '?::jsonb';

  schemaStatements(t: SagaTables, schema?: string): string[] {
    return [
      ...(schema ? [`CREATE SCHEMA IF NOT EXISTS "${schema}"`] : []),
      `CREATE TABLE IF NOT EXISTS ${t.failures} (
  saga VARCHAR(200) NOT NULL,
  event_id VARCHAR(64) NOT NULL,
  event_type VARCHAR(255) NOT NULL,
  stream_id VARCHAR(255) NOT NULL,
  version INTEGER NOT NULL,
  position BIGINT NOT NULL,
  checkpoint TEXT NOT NULL,
  error TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  failed_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (saga, event_id)
)`,
      `CREATE TABLE IF NOT EXISTS ${t.scheduled} (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  saga VARCHAR(200) NOT NULL,
  instance VARCHAR(255) NOT NULL,
  schedule_key VARCHAR(255) NULL,
  kind VARCHAR(16) NOT NULL,
  type VARCHAR(255) NOT NULL,
  payload JSONB NOT NULL,
  metadata JSONB NOT NULL,
  due_at TIMESTAMPTZ NOT NULL,
  wait_for TEXT NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  CONSTRAINT ${t.prefix}scheduled_messages_status CHECK (${STATUS_CHECK}),
  CONSTRAINT ${t.prefix}scheduled_messages_kind CHECK (${KIND_CHECK})
)`,
      `CREATE INDEX IF NOT EXISTS ${t.prefix}scheduled_messages_due ON ${t.scheduled} (status, due_at)`,
      `CREATE INDEX IF NOT EXISTS ${t.prefix}scheduled_messages_key ON ${t.scheduled} (saga, instance, schedule_key)`,
    ];
  }

  toTime(date: Date): unknown {
    return date.toISOString();
  }

  readTime(column: string): string {
    return column;
  }

  readJson(column: string): string {
    return `${column}::text AS ${column}`;
  }

  onConflictUpdate(keys: string[], columns: string[]): string {
    const set = columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ');
    return `ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${set}`;
  }

  onConflictIgnore(keys: string[]): string {
    return `ON CONFLICT (${keys.join(', ')}) DO NOTHING`;
  }
}
