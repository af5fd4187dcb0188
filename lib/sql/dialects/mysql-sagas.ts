import { mysqlDateTime, mysqlReadTime } from './mysql-time.js';
import { sagaTablesSql, type SagaDialect, type SagaTables } from './saga-dialect.js';

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
      ...sagaTablesSql(t, {
        int: 'INT',
        time: 'DATETIME(6)',
        json: 'JSON',
        waitFor: 'VARCHAR(100)',
        inlineIndexes: [
          `INDEX ${t.prefix}scheduled_messages_due (status, due_at)`,
          `INDEX ${t.prefix}scheduled_messages_key (saga, instance, schedule_key)`,
        ],
        tableOptions: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
      }),
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
