import type { PreparedAppend } from '../../core/prepared-append.js';
import { positionOrderedLog } from './position-ordered-log.js';
import { formatCheckpoint } from '../../core/checkpoint.js';
import { InvalidOptionsError } from '../../core/errors/invalid-options.error.js';
import { preciseNow } from '../precise-now.js';
import {
  driverError,
  versionCondition,
  type ConflictKind,
  type EventTables,
  type InsertedRow,
  type ReadAllQuery,
  type SqlDialect,
  type SqlRunner,
} from './sql-dialect.js';
import { historySql } from './history-sql.js';
import { claimOnConflictReturning, type InboxDialect } from './inbox-dialect.js';
import { SqliteSagas } from './sqlite-sagas.js';
import { SqliteSubscriptions } from './sqlite-subscriptions.js';

/**
 * SQLite has a single writer, so positions are taken and committed in one order and
 * "position > checkpoint" is gap-safe. AUTOINCREMENT keeps positions of deleted events from being
 * handed out again (a reader past them would otherwise skip the new ones).
 */
export class SqliteDialect implements SqlDialect {
  readonly name = 'sqlite';
  readonly startCheckpoint = '0';
  readonly appendNeedsTransaction = false;
  readonly sharedConnection = true;
  readonly subscriptions = new SqliteSubscriptions();
  readonly sagas = new SqliteSagas();
  readonly inbox: InboxDialect = {
    receivedAtColumn: "TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
    claim: claimOnConflictReturning,
  };
  readonly columns =
    'global_position, stream_id, version, event_id, type, data, metadata, created_at';

  bind(sql: string): string {
    return sql;
  }

  quoteTable(schema: string | undefined, name: string): string {
    if (schema) {
      throw new InvalidOptionsError(
        'schema',
        `not supported on SQLite (got "${schema}"); use tablePrefix to keep apart the tables of several stores`,
      );
    }
    return `"${name}"`;
  }

  schemaStatements(t: EventTables): string[] {
    return [
      `CREATE TABLE IF NOT EXISTS ${t.events} (
  global_position INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id TEXT NOT NULL,
  category TEXT NOT NULL,
  version INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  metadata TEXT NOT NULL,
  created_at TEXT NOT NULL,
  CONSTRAINT ${t.prefix}events_stream_version UNIQUE (stream_id, version),
  CONSTRAINT ${t.prefix}events_event_id UNIQUE (event_id)
)`,
      `CREATE INDEX IF NOT EXISTS "${t.prefix}events_type_order" ON ${t.events} (type, global_position)`,
      `CREATE INDEX IF NOT EXISTS "${t.prefix}events_category_order" ON ${t.events} (category, global_position)`,
      `CREATE TABLE IF NOT EXISTS ${t.snapshots} (
  stream_id TEXT NOT NULL PRIMARY KEY,
  version INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  state TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)`,
    ];
  }

  readonly upsertSnapshotSql = (t: EventTables) =>
    `INSERT INTO ${t.snapshots} (stream_id, version, revision, state) VALUES (?, ?, ?, ?)
ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, revision = excluded.revision,
  state = excluded.state WHERE ${t.snapshots}.version <= excluded.version`;

  async insertEvents(
    run: SqlRunner,
    t: EventTables,
    append: PreparedAppend,
    category: string,
  ): Promise<InsertedRow[] | undefined> {
    const condition = versionCondition(append.expectedVersion, 'cur.v');
    const now = preciseNow();
    // The events travel as one JSON parameter, so an append of any size binds a fixed number of
    // parameters (SQLite caps both parameters and compound SELECTs).
    const rows = JSON.stringify(append.events.map((e) => [e.eventId, e.type, e.data, e.metadata]));
    const result = await run(
      `INSERT INTO ${t.events} (stream_id, category, version, event_id, type, data, metadata, created_at)
SELECT ?, ?, cur.v + e.key + 1, e.value ->> 0, e.value ->> 1, e.value ->> 2, e.value ->> 3, ?
FROM (SELECT COALESCE(MAX(version), 0) AS v FROM ${t.events} WHERE stream_id = ?) cur, json_each(?) e
WHERE ${condition.sql}
ORDER BY e.key
RETURNING global_position, version`,
      [append.streamId, category, now.iso, append.streamId, rows, ...condition.params],
    );
    if (result.records.length === 0) return undefined;
    return result.records
      .map((row) => ({
        globalPosition: Number(row.global_position),
        version: Number(row.version),
        occurredAt: now.date,
        checkpoint: formatCheckpoint(row.global_position as string),
      }))
      .sort((a, b) => a.version - b.version);
  }

  historySql(t: EventTables, withSnapshot: boolean): string {
    return historySql(t, withSnapshot, (column) => column);
  }

  readAllSql(t: EventTables, q: ReadAllQuery): { sql: string; params: unknown[] } {
    return positionOrderedLog.readAllSql(this.columns, t, q);
  }

  headSql = positionOrderedLog.headSql;
  checkpointOf = positionOrderedLog.checkpointOf;
  isAfter = positionOrderedLog.isAfter;

  conflictKind(error: unknown): ConflictKind | undefined {
    const e = driverError(error);
    const message = typeof e.message === 'string' ? e.message : '';
    if (!String(e.code).startsWith('SQLITE_CONSTRAINT')) return undefined;
    if (message.includes('.version')) return 'stream_version';
    if (message.includes('.event_id')) return 'event_id';
    return undefined;
  }
}
