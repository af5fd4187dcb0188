import type { DataSource, EntityManager } from 'typeorm';
import type { SchemaPart } from '../core/schema-part.js';
import { runMigration, tableLocation } from './table-location.js';

/**
 * The inbox: one row per (handler, event id) applied, written in the handler's transaction, so a
 * redelivered event finds its row and is skipped.
 */
export class InboxTable implements SchemaPart {
  private readonly table: string;
  private readonly kind: 'postgres' | 'mysql' | 'sqlite';

  constructor(
    private readonly dataSource: DataSource,
    options: { tablePrefix?: string; schema?: string },
  ) {
    const location = tableLocation(dataSource, options);
    this.table = location.table('inbox');
    const type = dataSource.options.type;
    this.kind = type === 'postgres' ? 'postgres' : type === 'better-sqlite3' ? 'sqlite' : 'mysql';
  }

  schemaSql(): string[] {
    const time =
      this.kind === 'postgres'
        ? 'TIMESTAMPTZ NOT NULL DEFAULT now()'
        : this.kind === 'mysql'
          ? 'TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)'
          : "TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))";
    return [
      `CREATE TABLE IF NOT EXISTS ${this.table} (` +
        'handler VARCHAR(255) NOT NULL, event_id VARCHAR(64) NOT NULL, ' +
        `received_at ${time}, PRIMARY KEY (handler, event_id))`,
    ];
  }

  async migrate(): Promise<void> {
    const { dialect } = tableLocation(this.dataSource, {});
    await runMigration(this.dataSource, dialect, this.schemaSql());
  }

  /**
   * Records the event for the handler in the manager's transaction; false when it was recorded
   * before (a concurrent first delivery makes this wait until that one commits or rolls back).
   */
  async claim(manager: EntityManager, handler: string, eventId: string): Promise<boolean> {
    if (this.kind === 'mysql') {
      const result = await manager.query<{ affectedRows?: number }>(
        `INSERT IGNORE INTO ${this.table} (handler, event_id) VALUES (?, ?)`,
        [handler, eventId],
      );
      return result.affectedRows === 1;
    }
    const p = this.kind === 'postgres' ? ['$1', '$2'] : ['?', '?'];
    const rows = await manager.query<unknown[]>(
      `INSERT INTO ${this.table} (handler, event_id) VALUES (${p[0]}, ${p[1]}) ` +
        'ON CONFLICT DO NOTHING RETURNING event_id',
      [handler, eventId],
    );
    return rows.length === 1;
  }
}
