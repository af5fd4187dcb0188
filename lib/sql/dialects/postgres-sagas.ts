import { sagaTablesSql, type SagaDialect, type SagaTables } from './saga-dialect.js';

/** PostgreSQL: TIMESTAMPTZ, JSONB, `INSERT ... ON CONFLICT`. */
export class PostgresSagas implements SagaDialect {
  readonly timeParam = '?::timestamptz';
  readonly jsonParam = '?::jsonb';

  schemaStatements(t: SagaTables, schema?: string): string[] {
    return [
      ...(schema ? [`CREATE SCHEMA IF NOT EXISTS "${schema}"`] : []),
      ...sagaTablesSql(t, {
        int: 'INTEGER',
        time: 'TIMESTAMPTZ',
        json: 'JSONB',
        waitFor: 'TEXT',
        inlineIndexes: [],
        tableOptions: '',
      }),
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
