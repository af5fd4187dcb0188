import type { DataSource } from 'typeorm';
import type { SchemaPart } from '../core/schema-part.js';
import type { TransactionHandle } from '../core/transaction-handle.js';
import type { SqlDialect, SqlRunner } from './dialects/sql-dialect.js';
import type { SqlExecutor } from './sql-executor.js';
import { tableLocation } from './table-location.js';

/**
 * The inbox: one row per (handler, event id) applied, written in the handler's transaction, so a
 * redelivered event finds its row and is skipped.
 */
export class InboxTable implements SchemaPart {
  private readonly table: string;
  private readonly dialect: SqlDialect;
  private readonly sql: SqlExecutor;

  constructor(dataSource: DataSource, options: { tablePrefix?: string; schema?: string }) {
    const location = tableLocation(dataSource, options);
    this.table = location.table('inbox');
    this.dialect = location.dialect;
    this.sql = location.sql;
  }

  schemaSql(): string[] {
    return [
      `CREATE TABLE IF NOT EXISTS ${this.table} (` +
        'handler VARCHAR(255) NOT NULL, event_id VARCHAR(64) NOT NULL, ' +
        `received_at ${this.dialect.inbox.receivedAtColumn}, PRIMARY KEY (handler, event_id))`,
    ];
  }

  async migrate(): Promise<void> {
    await this.sql.migrate(this.schemaSql());
  }

  /**
   * Records the event for the handler in the manager's transaction; false when it was recorded
   * before (a concurrent first delivery makes this wait until that one commits or rolls back).
   */
  async claim(manager: TransactionHandle, handler: string, eventId: string): Promise<boolean> {
    const run: SqlRunner = (sql, params) => this.sql.run(sql, params, manager);
    return this.dialect.inbox.claim(run, this.table, handler, eventId);
  }
}
