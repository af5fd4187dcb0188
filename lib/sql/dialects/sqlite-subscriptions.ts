import type { SqlRunner } from './sql-dialect.js';
import { PLAIN_COLUMNS, type SubscriptionDialect } from './subscription-dialect.js';

const ISO = "'%Y-%m-%dT%H:%M:%fZ'";

/**
 * SQLite: times as ISO-8601 UTC text with milliseconds (they compare as text), JSON as text,
 * `INSERT ... ON CONFLICT DO UPDATE ... WHERE` lease. One writer at a time makes each statement
 * atomic; the first statement of a batch is a write (`takeWriteLock`), so a batch takes the write
 * lock up front.
 */
export class SqliteSubscriptions implements SubscriptionDialect {
  readonly now = `strftime(${ISO}, 'now')`;
  readonly nowPlusMs = `strftime(${ISO}, 'now', '+' || (? / 1000.0) || ' seconds')`;
  readonly columns = `${PLAIN_COLUMNS}, projection_state, lease_expires_at, failed_at, updated_at`;
  readonly onConflictDoNothing = 'ON CONFLICT (name) DO NOTHING';

  schemaStatements(table: string): string[] {
    return [
      `CREATE TABLE IF NOT EXISTS ${table} (
  name TEXT NOT NULL PRIMARY KEY,
  checkpoint TEXT NULL,
  state TEXT NOT NULL DEFAULT 'stopped' CHECK (state IN ('running', 'stopped', 'failed')),
  projection_state TEXT NULL,
  lease_owner TEXT NULL,
  lease_expires_at TEXT NULL,
  last_error TEXT NULL,
  failed_position INTEGER NULL,
  failed_checkpoint TEXT NULL,
  failed_at TEXT NULL,
  updated_at TEXT NOT NULL
)`,
    ];
  }

  takeWriteLock(table: string): string {
    // Matches no row, yet an UPDATE takes the write lock (RESERVED) when it starts.
    return `UPDATE ${table} SET name = name WHERE 0`;
  }

  sameAs(column: string): string {
    return `${column} IS ?`;
  }

  async tryAcquireLease(
    run: SqlRunner,
    table: string,
    name: string,
    owner: string,
    ttlMs: number,
  ): Promise<boolean> {
    const result = await run(
      `INSERT INTO ${table} (name, state, lease_owner, lease_expires_at, updated_at)
VALUES (?, 'stopped', ?, ${this.nowPlusMs}, ${this.now})
ON CONFLICT (name) DO UPDATE SET lease_owner = excluded.lease_owner,
  lease_expires_at = excluded.lease_expires_at, updated_at = excluded.updated_at
WHERE lease_owner IS NULL OR lease_owner = excluded.lease_owner
  OR lease_expires_at IS NULL OR lease_expires_at <= ${this.now}
RETURNING name`,
      [name, owner, ttlMs],
    );
    return result.records.length === 1;
  }
}
