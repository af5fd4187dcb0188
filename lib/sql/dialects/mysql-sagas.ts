import { mysqlDateTime, mysqlReadTime } from './mysql-time.js';
import { STATUS_CHECK, KIND_CHECK, type SagaDialect, type SagaTables } from './saga-dialect.js';

/**
 * MySQL 8 and MariaDB: DATETIME(6) holding UTC (written as UTC text, whatever the session time
 * zone), JSON columns, `INSERT ... ON DUPLICATE KEY UPDATE`. Indexes are declared inside CREATE
 * TABLE (MySQL has no CREATE INDEX IF NOT EXISTS).
 */
export class MysqlSagas implements SagaDialect {
  readonly timeParam = '?';
  readonly jsonParam = '?';

  schemaStatements(t: SagaTables, schema?: string): string[] {
    return [
      ...(schema ? [`CREATE DATABASE IF NOT EXISTS \`${schema}\``] : []),
      `CREATE TABLE IF NOT EXISTS ${t.failures} (
  saga VARCHAR(200) NOT NULL,
  event_id VARCHAR(64) NOT NULL,
  event_type VARCHAR(255) NOT NULL,
  stream_id VARCHAR(255) NOT NULL,
  version INT NOT NULL,
  position BIGINT NOT NULL,
  checkpoint TEXT NOT NULL,
  error TEXT NOT NULL,
  attempts INT NOT NULL,
  failed_at DATETIME(6) NOT NULL,
  PRIMARY KEY (saga, event_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
      `CREATE TABLE IF NOT EXISTS ${t.scheduled} (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  saga VARCHAR(200) NOT NULL,
  instance VARCHAR(255) NOT NULL,
  schedule_key VARCHAR(255) NULL,
  kind VARCHAR(16) NOT NULL,
  type VARCHAR(255) NOT NULL,
  payload JSON NOT NULL,
  metadata JSON NOT NULL,
  due_at DATETIME(6) NOT NULL,
  wait_for VARCHAR(100) NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'pending',
  attempts INT NOT NULL DEFAULT 0,
  last_error TEXT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  INDEX ${t.prefix}scheduled_messages_due (status, due_at),
  INDEX ${t.prefix}scheduled_messages_key (saga, instance, schedule_key),
  CONSTRAINT ${t.prefix}scheduled_messages_status CHECK (${STATUS_CHECK}),
  CONSTRAINT ${t.prefix}scheduled_messages_kind CHECK (${KIND_CHECK})
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    ];
  }

  toTime(date: Date): unknown {
    return mysqlDateTime(date);
  }

  readTime(column: string): string {
    return mysqlReadTime(column);
  }

  readJson(column: string): string {
    return `CAST(${column} AS CHAR) AS ${column}`;
  }

  onConflictUpdate(_keys: string[], columns: string[]): string {
    return `ON DUPLICATE KEY UPDATE ${columns.map((c) => `${c} = VALUES(${c})`).join(', ')}`;
  }

  onConflictIgnore(keys: string[]): string {
    return `ON DUPLICATE KEY UPDATE ${keys[0]} = ${keys[0]}`;
  }
}
