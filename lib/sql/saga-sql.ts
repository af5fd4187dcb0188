import { tableLocation } from './table-location.js';
import type { DataSource } from 'typeorm';
import type { TransactionHandle } from '../core/transaction-handle.js';
import type { SqlResult } from './dialects/sql-dialect.js';
import type { SqlExecutor } from './sql-executor.js';
import type { SagaDialect, SagaTables } from './dialects/saga-dialect.js';

export interface TypeOrmSagaStoreOptions {
  /**
   * Prefix of the tables (`es_saga_failures`, `es_scheduled_messages`). Letters, digits and `_`;
   * use the event store's. @default 'es_'
   */
  tablePrefix?: string;
  /** PostgreSQL schema or MySQL database that holds the tables. Not supported on SQLite. */
  schema?: string;
  /** The clock that stamps rows (the saga `Clock`). @default () => new Date() */
  now?: () => Date;
}

/** The saga tables of one DataSource: names, dialects, and how statements run. */
export class SagaSql {
  readonly executor: SqlExecutor;
  readonly dialect: SagaDialect;
  readonly tables: SagaTables;
  readonly now: () => Date;
  private readonly schema: string | undefined;

  constructor(
    readonly dataSource: DataSource,
    options: TypeOrmSagaStoreOptions = {},
  ) {
    const location = tableLocation(dataSource, options);
    const prefix = location.prefix;
    this.executor = location.sql;
    this.dialect = location.dialect.sagas;
    this.schema = options.schema;
    this.now = options.now ?? (() => new Date());
    this.tables = {
      failures: location.table('saga_failures'),
      scheduled: location.table('scheduled_messages'),
      prefix,
    };
  }

  /** The DDL of both tables. Idempotent. */
  schemaSql(): string[] {
    return this.dialect.schemaStatements(this.tables, this.schema);
  }

  /** Runs DDL under the event store's migration lock (safe from several instances at once). */
  async migrate(statements: string[]): Promise<void> {
    await this.executor.migrate(statements);
  }

  time(date: Date): unknown {
    return this.dialect.toTime(date);
  }

  /** Runs in the caller's transaction when given one, else on a connection of its own. */
  run(
    sql: string,
    params: readonly unknown[] = [],
    manager?: TransactionHandle,
  ): Promise<SqlResult> {
    return this.executor.run(sql, params, manager);
  }
}

/** Text columns; a number where a driver returns one. */
export function text(value: unknown): string | undefined {
  if (value == null) return undefined;
  if (typeof value === 'number' || typeof value === 'bigint') return value.toString();
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A Date from drivers that convert, ISO-8601 text from the dialects that select text. */
export function date(value: unknown): Date {
  return value instanceof Date ? value : new Date(value as string);
}
