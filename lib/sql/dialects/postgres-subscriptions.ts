import type { SqlRunner } from './sql-dialect.js';
import { PLAIN_COLUMNS, type SubscriptionDialect } from './subscription-dialect.js';

/** PostgreSQL: TIMESTAMPTZ by `clock_timestamp()`, JSONB state, `INSERT ... ON CONFLICT` lease. */
export class PostgresSubscriptions implements SubscriptionDialect {
  readonly now = 'clock_timestamp()';
  readonly nowPlusMs = "clock_timestamp() + ?::integer * interval '1 millisecond'";
  readonly columns = `${PLAIN_COLUMNS}, projection_state::text AS projection_state, lease_expires_at, failed_at, updated_at`;
  readonly onConflictDoNothing = 'ON CONFLICT (name) DO NOTHING';

  schemaStatements(table: string, prefix: string, schema?: string): string[] {
    return [
      ...(schema ? [`CREATE SCHEMA IF NOT EXISTS "${schema}"`] : []),
      `CREATE TABLE IF NOT EXISTS ${table} (
  name VARCHAR(255) NOT NULL PRIMARY KEY,
  checkpoint TEXT NULL,
  state VARCHAR(16) NOT NULL DEFAULT 'stopped',
  projection_state JSONB NULL,
  lease_owner VARCHAR(255) NULL,
  lease_expires_at TIMESTAMPTZ NULL,
  last_error TEXT NULL,
  failed_position BIGINT NULL,
  failed_checkpoint TEXT NULL,
  failed_at TIMESTAMPTZ NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  CONSTRAINT ${prefix}subscriptions_state CHECK (state IN ('running', 'stopped', 'failed'))
)`,
    ];
  }

  sameAs(column: string): string {
    return `${column} IS NOT DISTINCT FROM ?`;
  }

  async tryAcquireLease(
    run: SqlRunner,
    table: string,
    name: string,
    owner: string,
    ttlMs: number,
  ): Promise<boolean> {
    // Two racing inserts of a new name: one inserts, the other waits for it and then takes the
    // DO UPDATE branch, whose WHERE sees the committed owner.
    const result = await run(
      `INSERT INTO ${table} AS s (name, state, lease_owner, lease_expires_at, updated_at)
VALUES (?, 'stopped', ?, ${this.nowPlusMs}, ${this.now})
ON CONFLICT (name) DO UPDATE SET lease_owner = EXCLUDED.lease_owner,
  lease_expires_at = EXCLUDED.lease_expires_at, updated_at = EXCLUDED.updated_at
WHERE s.lease_owner IS NULL OR s.lease_owner = EXCLUDED.lease_owner
  OR s.lease_expires_at IS NULL OR s.lease_expires_at <= ${this.now}
RETURNING s.name`,
      [name, owner, ttlMs],
    );
    return result.records.length === 1;
  }
}
