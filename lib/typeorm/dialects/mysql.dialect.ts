import type { PreparedAppend } from '../../event-store/prepared-append.js';
import { satisfiesExpectedVersion } from '../../event-store/expected-version.js';
import { positionOrderedLog } from './position-ordered-log.js';
import { preciseNow } from '../precise-now.js';
import { FirstSeen, type HeldBackCause } from '../../monitoring/held-back-cause.js';
import { mysqlHeldBackCause } from './mysql-held-back.js';
import {
  driverError,
  type ConflictKind,
  type EventTables,
  type InsertedRow,
  type ReadAllQuery,
  type SqlDialect,
  type SqlRunner,
} from './sql-dialect.js';

/**
 * MySQL and MariaDB have no transaction-id horizon like PostgreSQL's, and AUTO_INCREMENT values are
 * taken before commit: a reader could pass position 11 while 10 is still uncommitted and never see
 * it. Gap tracking with a timeout fixes that only probabilistically (a slow transaction is lost, as
 * seen in Ecotone and Axon). So appends are serialised on a one-row head table: each append locks
 * the head, takes the next positions and commits before the next append can take any. Positions are
 * then gap-free and in commit order, and "position > checkpoint" can never skip a committed event.
 * The price is throughput (appends on one database run one at a time), paid for losslessness.
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
  UNIQUE KEY ${t.prefix}events_event_id (event_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
      `CREATE TABLE IF NOT EXISTS ${t.head} (
  id TINYINT NOT NULL PRIMARY KEY,
  position BIGINT NOT NULL
) ENGINE=InnoDB`,
      `INSERT IGNORE INTO ${t.head} (id, position) VALUES (1, 0)`,
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
      return inserted.affected === count ? this.inserted(append, last, known, now.date) : undefined;
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
    return this.inserted(append, last, version, now.date);
  }

  /** Parameters of the event rows, positions ending at `last`, versions after `version`. */
  private rows(
    append: PreparedAppend,
    category: string,
    last: number,
    version: number,
    now: { iso: string },
  ): unknown[] {
    const createdAt = now.iso.replace('T', ' ').replace('Z', '');
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

  private inserted(
    append: PreparedAppend,
    last: number,
    version: number,
    occurredAt: Date,
  ): InsertedRow[] {
    const first = last - append.events.length + 1;
    return append.events.map((_, i) => ({
      globalPosition: first + i,
      version: version + i + 1,
      occurredAt,
      checkpoint: String(first + i),
    }));
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
