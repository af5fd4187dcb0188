import { appendProcedureSql } from './mysql-append-procedure.js';
import { insertMysqlAlone, insertMysqlEvents } from './mysql-append.js';
import { runMysqlPrepared } from './mysql-driver.js';
import { guardMysqlPoolAcquire } from './mysql-pool-guard.js';
import { mysqlHeldBackCause } from './mysql-held-back.js';
import { MysqlSagas } from './mysql-sagas.js';
import { MysqlSubscriptions } from './mysql-subscriptions.js';
import { mysqlReadTime } from './mysql-time.js';
import { positionOrderedLog } from './position-ordered-log.js';
import { FirstSeen, type HeldBackCause } from '../../core/held-back-cause.js';
import {
  driverError,
  type ConflictKind,
  type EventTables,
  type ReadAllQuery,
  type SqlDialect,
  type SqlRunner,
} from './sql-dialect.js';
import { historySql } from './history-sql.js';
import type { InboxDialect } from './inbox-dialect.js';

/** MySQL 8 and MariaDB; appends are serialised on a head row (see mysql-append.ts). */
export class MysqlDialect implements SqlDialect {
  readonly name = 'mysql';
  readonly startCheckpoint = '0';
  readonly appendNeedsTransaction = true;
  readonly guardPoolAcquire = guardMysqlPoolAcquire;
  readonly subscriptions = new MysqlSubscriptions();
  readonly sagas = new MysqlSagas();
  /** INSERT IGNORE: MySQL has no ON CONFLICT ... RETURNING; one affected row means it is new. */
  readonly inbox: InboxDialect = {
    receivedAtColumn: 'TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)',
    async claim(run, table, handler, eventId) {
      const result = await run(`INSERT IGNORE INTO ${table} (handler, event_id) VALUES (?, ?)`, [
        handler,
        eventId,
      ]);
      return result.affected === 1;
    },
  };
  readonly columns =
    'global_position, stream_id, version, event_id, type, CAST(data AS CHAR) AS data, ' +
    `CAST(metadata AS CHAR) AS metadata, ${mysqlReadTime('created_at')}`;
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
  insertAlone = insertMysqlAlone;

  /** Straight on the driver's pool, text protocol (see mysql-driver.ts). */
  runPrepared = runMysqlPrepared;

  /** Locks the head row, takes positions, checks the version and inserts (see mysql-append.ts). */
  insertEvents = insertMysqlEvents;

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
