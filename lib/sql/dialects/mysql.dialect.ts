import { DataSource, type QueryRunner } from 'typeorm';
import type { PreparedAppend } from '../../core/prepared-append.js';
import { satisfiesExpectedVersion } from '../../core/expected-version.js';
import { appendProcedureSql, callAppendProcedure, insertedRows } from './mysql-append-procedure.js';
import { positionOrderedLog } from './position-ordered-log.js';
import { preciseNow } from '../precise-now.js';
import { FirstSeen, type HeldBackCause } from '../../core/held-back-cause.js';
import { mysqlHeldBackCause } from './mysql-held-back.js';
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

/** The callback API of a mysql2 pool or pooled connection, as TypeORM's driver holds them. */
interface MysqlQueryable {
  query(
    sql: string,
    values: unknown[],
    callback: (error: Error | null, result: unknown) => void,
  ): unknown;
}

/**
 * MySQL and MariaDB have no transaction-id horizon like PostgreSQL's, and AUTO_INCREMENT values are
 * taken before commit: a reader could pass position 11 while 10 is still uncommitted and never see
 * it. Gap tracking with a timeout fixes that only probabilistically (a slow transaction is lost, as
 * seen in Ecotone and Axon). So appends are serialised on a one-row head table: each append locks
 * the head, takes the next positions and commits before the next append can take any. Positions are
 * then gap-free and in commit order, and "position > checkpoint" can never skip a committed event.
 * The price is throughput (appends on one database run one at a time), paid for losslessness;
 * outside a caller's transaction an append is one stored-procedure call (one round trip), so the
 * head is held only for the server's own work.
 */
const COLUMNS =
  'global_position, stream_id, category, version, event_id, type, data, metadata, created_at';
const FIRST_ROW =
  'SELECT ? AS global_position, ? AS stream_id, ? AS category, ? AS version, ? AS event_id, ' +
  '? AS type, ? AS data, ? AS metadata, ? AS created_at';

/** The stream version an append expects when it names one, so its versions are known upfront. */
function knownVersion(append: PreparedAppend): number | undefined {
  if (append.expectedVersion === 'no_stream') return 0;
  return typeof append.expectedVersion === 'number' ? append.expectedVersion : undefined;
}

export class MysqlDialect implements SqlDialect {
  readonly name = 'mysql';
  readonly startCheckpoint = '0';
  readonly appendNeedsTransaction = true;
  readonly columns =
    'global_position, stream_id, version, event_id, type, CAST(data AS CHAR) AS data, ' +
    "CAST(metadata AS CHAR) AS metadata, DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s.%fZ') AS created_at";
  readonly migrationLock = {
    acquire: "SELECT GET_LOCK('nestjs-event-sourcing:migrate', 60)",
    release: "SELECT RELEASE_LOCK('nestjs-event-sourcing:migrate')",
  };

  bind(sql: string): string {
    return sql;
  }

  quoteTable(schema: string | undefined, name: string): string {
    return schema ? `\`${schema}\`.\`${name}\`` : `\`${name}\``;
  }

  schemaStatements(t: EventTables, schema?: string): string[] {
    return [
      ...(schema ? [`CREATE DATABASE IF NOT EXISTS \`${schema}\``] : []),
      `CREATE TABLE IF NOT EXISTS ${t.events} (
  global_position BIGINT NOT NULL PRIMARY KEY,
  stream_id VARCHAR(255) NOT NULL,
  category VARCHAR(255) NOT NULL,
  version INT NOT NULL,
  event_id CHAR(36) CHARACTER SET ascii NOT NULL,
  type VARCHAR(255) NOT NULL,
  data JSON NOT NULL,
  metadata JSON NOT NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY ${t.prefix}events_stream_version (stream_id, version),
  UNIQUE KEY ${t.prefix}events_event_id (event_id),
  KEY ${t.prefix}events_type_order (type, global_position),
  KEY ${t.prefix}events_category_order (category, global_position)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
      `CREATE TABLE IF NOT EXISTS ${t.head} (
  id TINYINT NOT NULL PRIMARY KEY,
  position BIGINT NOT NULL
) ENGINE=InnoDB`,
      `INSERT IGNORE INTO ${t.head} (id, position) VALUES (1, 0)`,
      appendProcedureSql(t),
      `CREATE TABLE IF NOT EXISTS ${t.snapshots} (
  stream_id VARCHAR(255) NOT NULL PRIMARY KEY,
  version INT NOT NULL,
  revision INT NOT NULL,
  state JSON NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    ];
  }

  // A snapshot never replaces a newer one (two savers may race).
  readonly upsertSnapshotSql = (t: EventTables) =>
    `INSERT INTO ${t.snapshots} (stream_id, version, revision, state) VALUES (?, ?, ?, ?)
ON DUPLICATE KEY UPDATE
  revision = IF(version <= VALUES(version), VALUES(revision), revision),
  state = IF(version <= VALUES(version), VALUES(state), state),
  version = IF(version <= VALUES(version), VALUES(version), version)`;

  /** Outside a caller's transaction: the whole append in one CALL (see mysql-append-procedure). */
  async insertAlone(
    run: SqlRunner,
    t: EventTables,
    append: PreparedAppend,
    category: string,
  ): Promise<InsertedRow[] | undefined> {
    const now = preciseNow();
    const written = await callAppendProcedure(run, t, append, category, sqlDateTime(now.iso));
    return written && insertedRows(append, written.last, written.version, now.date);
  }

  /**
   * Straight on the driver's pool (or the runner's connection): no TypeORM query runner to create
   * and release per statement. Text protocol, so any statement (CALL, LIMIT ?) runs as it would
   * through TypeORM. A replicated DataSource (no single pool) goes through a query runner.
   */
  async runPrepared(
    target: QueryRunner | DataSource,
    sql: string,
    params: readonly unknown[],
  ): Promise<SqlResult> {
    let connection: MysqlQueryable | undefined;
    if (target instanceof DataSource) {
      connection = (target.driver as unknown as { pool?: MysqlQueryable }).pool;
      if (!connection) {
        const runner = target.createQueryRunner('master');
        try {
          return (await runner.query(sql, params as unknown[], true)) as SqlResult;
        } finally {
          await runner.release();
        }
      }
    } else {
      connection = (await target.connect()) as MysqlQueryable;
    }
    const raw = await new Promise<unknown>((resolve, reject) =>
      connection.query(sql, params as unknown[], (error, result) =>
        error ? reject(error) : resolve(result),
      ),
    );
    if (!Array.isArray(raw)) {
      return { records: [], affected: (raw as { affectedRows?: number }).affectedRows, raw };
    }
    // A CALL answers [rows of its SELECT, status]; a SELECT answers its rows.
    const records = (Array.isArray(raw[0]) ? raw[0] : raw) as Record<string, unknown>[];
    return { records, affected: undefined, raw };
  }

  async insertEvents(
    run: SqlRunner,
    t: EventTables,
    append: PreparedAppend,
    category: string,
  ): Promise<InsertedRow[] | undefined> {
    const count = append.events.length;
    // Locks the head until commit and reserves `count` positions; LAST_INSERT_ID(expr) hands the
    // new head back in the same round trip.
    const head = await run(
      `UPDATE ${t.head} SET position = LAST_INSERT_ID(position + ?) WHERE id = 1`,
      [count],
    );
    const last = Number((head.raw as { insertId?: number | string }).insertId);
    if (head.affected !== 1 || !Number.isSafeInteger(last)) {
      throw new Error(`the head row of ${t.head} is missing; run the event store migration`);
    }
    const now = preciseNow();
    const known = knownVersion(append);
    if (known !== undefined) {
      // The versions follow from the expected version: one guarded INSERT ... SELECT checks it and
      // writes (a round trip less). INSERT ... SELECT reads the stream's rows with locks, so it
      // sees the latest committed version.
      const inserted = await run(
        `INSERT INTO ${t.events} (${COLUMNS}) SELECT * FROM (` +
          append.events
            .map((_, i) => (i === 0 ? FIRST_ROW : 'SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?'))
            .join(' UNION ALL ') +
          `) e WHERE (SELECT COALESCE(MAX(version), 0) FROM ${t.events} WHERE stream_id = ?) = ?`,
        [...this.rows(append, category, last, known, now), append.streamId, known],
      );
      return inserted.affected === count ? insertedRows(append, last, known, now.date) : undefined;
    }
    // A locking read sees the latest committed version even inside an older snapshot.
    const current = await run(
      `SELECT version FROM ${t.events} WHERE stream_id = ? ORDER BY version DESC LIMIT 1 FOR UPDATE`,
      [append.streamId],
    );
    const version = current.records.length ? Number(current.records[0].version) : 0;
    if (!satisfiesExpectedVersion(append.expectedVersion, version)) return undefined;
    await run(
      `INSERT INTO ${t.events} (${COLUMNS}) VALUES ` +
        append.events.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', '),
      this.rows(append, category, last, version, now),
    );
    return insertedRows(append, last, version, now.date);
  }

  /** Parameters of the event rows, positions ending at `last`, versions after `version`. */
  private rows(
    append: PreparedAppend,
    category: string,
    last: number,
    version: number,
    now: { iso: string },
  ): unknown[] {
    const createdAt = sqlDateTime(now.iso);
    const first = last - append.events.length + 1;
    return append.events.flatMap((e, i) => [
      first + i,
      append.streamId,
      category,
      version + i + 1,
      e.eventId,
      e.type,
      e.data,
      e.metadata,
      createdAt,
    ]);
  }

  historySql(t: EventTables, withSnapshot: boolean): string {
    return historySql(t, withSnapshot, (column) => `CAST(${column} AS CHAR)`);
  }

  readAllSql(t: EventTables, q: ReadAllQuery): { sql: string; params: unknown[] } {
    return positionOrderedLog.readAllSql(this.columns, t, q);
  }

  private readonly holderSeen = new FirstSeen();

  heldBackBy(run: SqlRunner, tables: EventTables): Promise<HeldBackCause | undefined> {
    return mysqlHeldBackCause(run, tables, this.holderSeen);
  }

  headSql = positionOrderedLog.headSql;
  checkpointOf = positionOrderedLog.checkpointOf;
  isAfter = positionOrderedLog.isAfter;

  conflictKind(error: unknown): ConflictKind | undefined {
    const e = driverError(error);
    if (e.errno !== 1062 || typeof e.sqlMessage !== 'string') return undefined;
    if (e.sqlMessage.includes('events_stream_version')) return 'stream_version';
    if (e.sqlMessage.includes('events_event_id')) return 'event_id';
    return undefined;
  }
}

/** `2024-05-01T12:00:00.123456Z` as a DATETIME(6) literal. */
function sqlDateTime(iso: string): string {
  return iso.replace('T', ' ').replace('Z', '');
}
