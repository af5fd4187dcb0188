import { mysqlReadTime as time } from './mysql-time.js';
import { driverError, type SqlRunner } from './sql-dialect.js';
import { PLAIN_COLUMNS, type SubscriptionDialect } from './subscription-dialect.js';

/** Deadlock, lock wait timeout: the statement was rolled back and can run again. */
const RETRYABLE = new Set([1213, 1205]);

/**
 * MySQL 8 and MariaDB: DATETIME(6) in UTC (`UTC_TIMESTAMP(6)`, whatever the session time zone),
 * JSON state, `INSERT ... ON DUPLICATE KEY UPDATE` lease with IF() expressions.
 */
export class MysqlSubscriptions implements SubscriptionDialect {
  readonly now = 'UTC_TIMESTAMP(6)';
  readonly nowPlusMs = 'TIMESTAMPADD(MICROSECOND, ? * 1000, UTC_TIMESTAMP(6))';
  readonly columns =
    `${PLAIN_COLUMNS}, CAST(projection_state AS CHAR) AS projection_state, ` +
    [time('lease_expires_at'), time('failed_at'), time('updated_at')].join(', ');
  readonly onConflictDoNothing = 'ON DUPLICATE KEY UPDATE name = name';

  schemaStatements(table: string, prefix: string, schema?: string): string[] {
    return [
      ...(schema ? [`CREATE DATABASE IF NOT EXISTS \`${schema}\``] : []),
      `CREATE TABLE IF NOT EXISTS ${table} (
  name VARCHAR(255) NOT NULL PRIMARY KEY,
  checkpoint TEXT NULL,
  state VARCHAR(16) NOT NULL DEFAULT 'stopped',
  projection_state JSON NULL,
  lease_owner VARCHAR(255) NULL,
  lease_expires_at DATETIME(6) NULL,
  last_error TEXT NULL,
  failed_position BIGINT NULL,
  failed_checkpoint TEXT NULL,
  failed_at DATETIME(6) NULL,
  updated_at DATETIME(6) NOT NULL,
  CONSTRAINT ${prefix}subscriptions_state CHECK (state IN ('running', 'stopped', 'failed'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    ];
  }

  sameAs(column: string): string {
    return `${column} <=> ?`;
  }

  async tryAcquireLease(
    run: SqlRunner,
    table: string,
    name: string,
    owner: string,
    ttlMs: number,
  ): Promise<boolean> {
    // MySQL assigns left to right, later expressions seeing earlier new values; MariaDB may assign
    // simultaneously (SIMULTANEOUS_ASSIGNMENT). Each column repeats the whole condition, which gives
    // the same answer both ways once lease_owner (first) holds the new owner. The upsert locks the
    // row, so nobody interleaves. The affected-row count cannot tell "inserted" from "found
    // unchanged" when the client sets CLIENT_FOUND_ROWS (mysql2 does), so the outcome is read back.
    const free = `(lease_owner IS NULL OR lease_owner = ? OR lease_expires_at IS NULL
    OR lease_expires_at <= ${this.now})`;
    const upsert = `INSERT INTO ${table} (name, state, lease_owner, lease_expires_at, updated_at)
VALUES (?, 'stopped', ?, ${this.nowPlusMs}, ${this.now})
ON DUPLICATE KEY UPDATE
  lease_owner = IF(${free}, ?, lease_owner),
  lease_expires_at = IF(${free}, ${this.nowPlusMs}, lease_expires_at),
  updated_at = IF(${free}, ${this.now}, updated_at)`;
    for (let attempt = 1; ; attempt++) {
      try {
        await run(upsert, [name, owner, ttlMs, owner, owner, owner, ttlMs, owner]);
        break;
      } catch (error) {
        if (attempt >= 5 || !RETRYABLE.has(Number(driverError(error).errno))) throw error;
      }
    }
    const held = await run(
      `SELECT lease_owner = ? AND lease_expires_at > ${this.now} AS held FROM ${table} WHERE name = ?`,
      [owner, name],
    );
    return Number(held.records[0]?.held ?? 0) === 1;
  }
}
