import { createHash } from 'node:crypto';
import { DataSource, type QueryRunner } from 'typeorm';
import type { PreparedAppend } from '../../core/prepared-append.js';
import {
  driverError,
  type ConflictKind,
  type EventTables,
  type InsertedRow,
  type ReadAllQuery,
  type SqlDialect,
  type SqlResult,
  type SqlRunner,
} from './sql-dialect.js';
import { historySql } from './history-sql.js';
import { claimOnConflictReturning, type InboxDialect } from './inbox-dialect.js';
import { PostgresSagas } from './postgres-sagas.js';
import { PostgresSubscriptions } from './postgres-subscriptions.js';
import { insertPostgresEvents } from './postgres-append.js';
import { withPgClient, type PgClient } from './postgres-client.js';
import { guardPostgresPoolAcquire } from './postgres-pool-guard.js';

import {
  compareCheckpoints,
  formatCheckpoint,
  parseTransactionCheckpoint,
} from '../../core/checkpoint.js';
import { FirstSeen, type HeldBackCause } from '../../core/held-back-cause.js';
import { postgresHeldBackCause } from './postgres-held-back.js';
import { DATABASE_HORIZON } from './postgres-horizon.js';

/**
 * PostgreSQL orders the global log by (writing transaction id, position) and reads only rows whose
 * transaction id is below the oldest transaction of this database still running (the horizon, see
 * postgres-horizon.ts). Positions come from a sequence and are taken before commit, so a plain
 * "position > checkpoint" reader could pass a position whose transaction commits later and skip it
 * for good; every transaction of this database below the horizon has finished, so nothing can
 * still appear there. The cost: a long write transaction in this database holds every reader back
 * (nothing is lost); set `idle_in_transaction_session_timeout`.
 */
export class PostgresDialect implements SqlDialect {
  readonly name = 'postgres';
  readonly startCheckpoint = '0:0';
  readonly appendNeedsTransaction = false;
  readonly guardPoolAcquire = guardPostgresPoolAcquire;
  readonly subscriptions = new PostgresSubscriptions();
  readonly sagas = new PostgresSagas();
  readonly inbox: InboxDialect = {
    receivedAtColumn: 'TIMESTAMPTZ NOT NULL DEFAULT now()',
    claim: claimOnConflictReturning,
  };
  readonly columns =
    'global_position, tx_id, stream_id, version, event_id, type, data::text AS data, ' +
    // Epoch milliseconds as float8: node-postgres parses a timestamptz far slower than a number.
    'metadata::text AS metadata, (EXTRACT(EPOCH FROM created_at) * 1000)::float8 AS created_at';
  readonly migrationLock = {
    acquire: "SELECT pg_advisory_lock(hashtext('nestjs-event-sourcing:migrate'))",
    release: "SELECT pg_advisory_unlock(hashtext('nestjs-event-sourcing:migrate'))",
  };
  private readonly holderSeen = new FirstSeen();
  private readonly bound = new Map<string, string>();
  private readonly statementNames = new Map<string, string>();

  bind(sql: string): string {
    let text = this.bound.get(sql);
    if (text === undefined) {
      let n = 0;
      text = sql.replace(/\?/g, () => `$${++n}`);
      this.bound.set(sql, text);
    }
    return text;
  }

  quoteTable(schema: string | undefined, name: string): string {
    return schema ? `"${schema}"."${name}"` : `"${name}"`;
  }

  schemaStatements(t: EventTables, schema?: string): string[] {
    return [
      ...(schema ? [`CREATE SCHEMA IF NOT EXISTS "${schema}"`] : []),
      `CREATE TABLE IF NOT EXISTS ${t.events} (
  global_position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tx_id XID8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id VARCHAR(255) NOT NULL,
  category VARCHAR(255) NOT NULL,
  version INTEGER NOT NULL,
  event_id UUID NOT NULL,
  type VARCHAR(255) NOT NULL,
  data JSONB NOT NULL,
  metadata JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  CONSTRAINT ${t.prefix}events_stream_version UNIQUE (stream_id, version),
  CONSTRAINT ${t.prefix}events_event_id UNIQUE (event_id)
)`,
      `CREATE INDEX IF NOT EXISTS ${t.prefix}events_log_order ON ${t.events} (tx_id, global_position)`,
      // Readers filtered by type (partitioned projections) or category scan only their rows.
      `CREATE INDEX IF NOT EXISTS ${t.prefix}events_type_order ON ${t.events} (type, tx_id, global_position)`,
      `CREATE INDEX IF NOT EXISTS ${t.prefix}events_category_order ON ${t.events} (category, tx_id, global_position)`,
      `CREATE TABLE IF NOT EXISTS ${t.snapshots} (
  stream_id VARCHAR(255) NOT NULL PRIMARY KEY,
  version INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  state JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
)`,
    ];
  }

  readonly upsertSnapshotSql = (t: EventTables) =>
    `INSERT INTO ${t.snapshots} (stream_id, version, revision, state) VALUES (?, ?, ?, ?::jsonb)
ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version, revision = EXCLUDED.revision,
  state = EXCLUDED.state, created_at = clock_timestamp()
WHERE ${t.snapshots}.version <= EXCLUDED.version`;

  insertEvents(
    run: SqlRunner,
    t: EventTables,
    append: PreparedAppend,
    category: string,
  ): Promise<InsertedRow[] | undefined> {
    return insertPostgresEvents(run, t, append, category);
  }

  historySql(t: EventTables, withSnapshot: boolean): string {
    return historySql(t, withSnapshot, (column) => `${column}::text`);
  }

  readAllSql(t: EventTables, q: ReadAllQuery): { sql: string; params: unknown[] } {
    const [tx, position] = parseTransactionCheckpoint(q.afterCheckpoint);
    // One horizon for the whole statement (the page and the last safe row agree on it), used as a
    // scalar: an index bound of an ordered scan with LIMIT, never a join the planner could reorder.
    const horizon = `WITH h AS MATERIALIZED (SELECT ${DATABASE_HORIZON} AS xmin)`;
    const below = 'e.tx_id < (SELECT xmin FROM h)';
    // Columns are converted outside the LIMIT, so only the rows returned pay for it.
    const page = (filter: string) => `SELECT 'e' AS kind, ${this.columns} FROM (
SELECT e.* FROM ${t.events} e
WHERE (e.tx_id, e.global_position) > (?::text::xid8, ?::bigint) AND ${below}${filter}
ORDER BY e.tx_id, e.global_position LIMIT ?) p`;
    if (!q.filter) {
      return {
        sql: `${horizon} ${page('')} ORDER BY tx_id, global_position`,
        params: [tx, position, q.maxCount],
      };
    }
    // The last safe row, read in the same snapshot, lets a filtered reader move past what it skipped.
    return {
      sql: `${horizon} ${page(` AND ${q.filter.sql}`)}
UNION ALL SELECT 'h' AS kind, ${this.columns} FROM (SELECT e.* FROM ${t.events} e
WHERE ${below} ORDER BY e.tx_id DESC, e.global_position DESC LIMIT 1) q
ORDER BY kind, tx_id, global_position`,
      params: [tx, position, ...q.filter.params, q.maxCount],
    };
  }

  heldBackBy(run: SqlRunner): Promise<HeldBackCause | undefined> {
    return postgresHeldBackCause(run, this.holderSeen);
  }

  headSql(t: EventTables): string {
    return `SELECT tx_id, global_position FROM ${t.events} ORDER BY tx_id DESC, global_position DESC LIMIT 1`;
  }

  async runPrepared(
    target: QueryRunner | DataSource,
    sql: string,
    params: readonly unknown[],
  ): Promise<SqlResult> {
    let name = this.statementNames.get(sql);
    if (name === undefined) {
      name = `es_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
      this.statementNames.set(sql, name);
    }
    // Planned once per connection instead of on every append (about 0.1 ms each, measured).
    const statement = { name, text: sql, values: params as unknown[] };
    if (!(target instanceof DataSource)) {
      // `QueryRunner.connect()` is TypeORM's public way to the runner's pg client.
      const client = (await target.connect()) as PgClient;
      return pgResult(await client.query(statement));
    }
    // A pool checkout for the one statement, as pg's `pool.query` does (same round trips).
    return pgResult(await withPgClient(target, (client) => client.query(statement)));
  }

  checkpointOf(row: Record<string, unknown>): string {
    return formatCheckpoint(row.global_position as string, row.tx_id as string);
  }

  isAfter(a: string, b: string): boolean {
    return compareCheckpoints(a, b) > 0;
  }

  conflictKind(error: unknown): ConflictKind | undefined {
    const e = driverError(error);
    if (e.code !== '23505' || typeof e.constraint !== 'string') return undefined;
    if (e.constraint.endsWith('events_stream_version')) return 'stream_version';
    if (e.constraint.endsWith('events_event_id')) return 'event_id';
    return undefined;
  }
}

function pgResult(result: { rows: Record<string, unknown>[]; rowCount: number | null }): SqlResult {
  return { records: result.rows, affected: result.rowCount ?? undefined, raw: result };
}
