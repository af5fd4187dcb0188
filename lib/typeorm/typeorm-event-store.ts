import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { ConcurrencyError } from '../event-store/errors/concurrency.error.js';
import { DuplicateEventIdError } from '../event-store/errors/duplicate-event-id.error.js';
import { EventStore } from '../event-store/event-store.js';
import type {
  AppendOptions,
  AppendResult,
  NewEvent,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  StoredEvent,
} from '../event-store/event-store.types.js';
import {
  isRetriedAppend,
  prepareAppend,
  type PreparedAppend,
} from '../event-store/prepared-append.js';
import { assertValidStreamId, streamCategory } from '../event-store/stream-id.js';
import {
  assertValidReadAllOptions,
  assertValidReadStreamOptions,
} from '../event-store/read-options.js';
import {
  toQuestionMarks,
  type ConflictKind,
  type EventTables,
  type InsertedRow,
  type SqlDialect,
  type SqlResult,
  type SqlRunner,
} from './dialects/sql-dialect.js';
import { withConnectionLock } from './connection-lock.js';
import type { HeldBackCause } from '../monitoring/held-back-cause.js';
import { decodeEvent } from './event-row.js';
import { runMigration, tableLocation } from './table-location.js';
import { TypeOrmSnapshotStore } from './typeorm-snapshot-store.js';
import type { TypeOrmEventStoreOptions } from './typeorm-event-store.options.js';

/** 'any' appends retry a lost race on the next version; bounded only to stop a runaway loop. */
const MAX_ANY_ATTEMPTS = 1000;

/**
 * The event store over a TypeORM `DataSource` (PostgreSQL, MySQL/MariaDB, SQLite through
 * better-sqlite3). Hot paths run plain parameterised SQL through TypeORM's query runners and pool.
 */
export class TypeOrmEventStore extends EventStore {
  readonly dialect: SqlDialect;
  private readonly tables: EventTables;
  private readonly schema: string | undefined;
  private readonly appendedListeners = new Set<() => void>();

  constructor(
    private readonly dataSource: DataSource,
    options: TypeOrmEventStoreOptions = {},
  ) {
    super();
    const location = tableLocation(dataSource, options);
    this.dialect = location.dialect;
    this.schema = location.schema;
    this.tables = {
      events: location.table('events'),
      head: location.table('head'),
      snapshots: location.table('snapshots'),
      prefix: location.prefix,
    };
  }

  /** Calls `listener` after each append that committed by itself (not in a caller's transaction). */
  onAppended(listener: () => void): () => void {
    this.appendedListeners.add(listener);
    return () => this.appendedListeners.delete(listener);
  }

  /** Snapshots kept in this store's database, in the table its migration creates. */
  createSnapshotStore(): TypeOrmSnapshotStore {
    return new TypeOrmSnapshotStore(this.dataSource, this.dialect, this.tables);
  }

  /** The DDL `migrate()` runs, for a DBA to review or apply by hand. Idempotent. */
  schemaSql(): string[] {
    return this.dialect.schemaStatements(this.tables, this.schema);
  }

  /** Creates the store's tables if they do not exist. Safe to run from several instances at once. */
  async migrate(): Promise<void> {
    await runMigration(this.dataSource, this.dialect, this.schemaSql());
  }

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const append = prepareAppend(streamId, events, options);
    if (append.events.length === 0) {
      return {
        streamId,
        nextExpectedVersion: await this.streamVersion(streamId),
        events: [],
      };
    }
    const callerRunner = transactionOf(options.manager);
    for (let attempt = 1; ; attempt++) {
      try {
        const rows = await this.insert(append, callerRunner);
        if (rows) {
          // A caller's transaction commits later; whoever owns it reports the commit.
          if (!callerRunner) for (const listener of this.appendedListeners) listener();
          return appendResult(append, rows);
        }
        return await this.resolveConflict(append, 'stream_version');
      } catch (error) {
        const kind = this.dialect.conflictKind(error);
        if (kind === undefined) throw error;
        const lostRace = kind === 'stream_version' && append.expectedVersion === 'any';
        if (lostRace && attempt < MAX_ANY_ATTEMPTS) continue;
        return await this.resolveConflict(append, kind);
      }
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    assertValidStreamId(streamId);
    assertValidReadStreamOptions(options);
    const backward = options.direction === 'backward';
    const params: unknown[] = [streamId];
    let sql = `SELECT ${this.dialect.columns} FROM ${this.tables.events} WHERE stream_id = ?`;
    if (options.fromVersion !== undefined) {
      sql += backward ? ' AND version <= ?' : ' AND version >= ?';
      params.push(options.fromVersion);
    }
    sql += ` ORDER BY version ${backward ? 'DESC' : 'ASC'}`;
    if (options.maxCount !== undefined) {
      sql += ' LIMIT ?';
      params.push(options.maxCount);
    }
    const result = await this.query(sql, params, { prepared: true });
    return result.records.map((row) => decodeEvent(row));
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    assertValidReadAllOptions(options);
    const maxCount = options.maxCount ?? 1000;
    const filters: string[] = [];
    const filterParams: unknown[] = [];
    if (options.types) {
      filters.push(
        options.types.length ? `type IN (${toQuestionMarks(options.types.length)})` : '1 = 0',
      );
      filterParams.push(...options.types);
    }
    if (options.categories) {
      const count = options.categories.length;
      filters.push(count ? `category IN (${toQuestionMarks(count)})` : '1 = 0');
      filterParams.push(...options.categories);
    }
    const { sql, params } = this.dialect.readAllSql(this.tables, {
      afterCheckpoint: options.after,
      maxCount,
      filter: filters.length ? { sql: filters.join(' AND '), params: filterParams } : undefined,
    });
    const rows = (await this.query(sql, params, { prepared: true })).records;
    const events = rows
      .filter((row) => row.kind === 'e')
      .map((row) => decodeEvent(row, this.dialect.checkpointOf(row)));
    const isEnd = events.length < maxCount;
    let checkpoint = events.at(-1)?.checkpoint ?? options.after ?? this.dialect.startCheckpoint;
    const head = rows.find((row) => row.kind === 'h');
    if (isEnd && head) {
      const last = this.dialect.checkpointOf(head);
      if (this.dialect.isAfter(last, checkpoint)) checkpoint = last;
    }
    return { events, checkpoint, isEnd };
  }

  async headCheckpoint(): Promise<string> {
    const rows = (await this.query(this.dialect.headSql(this.tables), [])).records;
    return rows.length ? this.dialect.checkpointOf(rows[0]) : this.dialect.startCheckpoint;
  }

  /**
   * How long (ms) readers of the global log have been held back (0 when they are not): on
   * PostgreSQL by the oldest write transaction of this database, on MySQL/MariaDB by the
   * transaction holding the append lock. Undefined on SQLite.
   */
  async readHorizonAgeMs(): Promise<number | undefined> {
    if (!this.dialect.heldBackBy) return undefined;
    return (await this.heldBackBy())?.ageMs ?? 0;
  }

  /** What holds readers of the global log back now, and who (see `readHorizonAgeMs`). */
  async heldBackBy(): Promise<HeldBackCause | undefined> {
    const probe = this.dialect.heldBackBy?.bind(this.dialect);
    if (!probe) return undefined;
    return withConnectionLock(this.dataSource, () =>
      this.withPoolRunner((run) => probe(run, this.tables)),
    );
  }

  async streamVersion(streamId: string): Promise<number> {
    assertValidStreamId(streamId);
    const result = await this.query(
      `SELECT MAX(version) AS v FROM ${this.tables.events} WHERE stream_id = ?`,
      [streamId],
    );
    return Number(result.records[0]?.v ?? 0);
  }

  async streamExists(streamId: string): Promise<boolean> {
    return (await this.streamVersion(streamId)) > 0;
  }

  async deleteStream(streamId: string): Promise<void> {
    assertValidStreamId(streamId);
    await this.query(`DELETE FROM ${this.tables.events} WHERE stream_id = ?`, [streamId]);
  }

  /**
   * Runs the dialect's insert: in the caller's transaction (under a savepoint, so a lost race
   * leaves that transaction usable), in a transaction of its own where the dialect needs one, or
   * as one self-committing statement.
   */
  private async insert(
    append: PreparedAppend,
    callerRunner: QueryRunner | undefined,
  ): Promise<InsertedRow[] | undefined> {
    if (callerRunner) return this.insertOn(append, callerRunner);
    return withConnectionLock(this.dataSource, () => this.insertOn(append, undefined));
  }

  private async insertOn(
    append: PreparedAppend,
    callerRunner: QueryRunner | undefined,
  ): Promise<InsertedRow[] | undefined> {
    const category = streamCategory(append.streamId);
    if (!callerRunner && !this.dialect.appendNeedsTransaction) {
      return this.withPoolRunner((run) =>
        this.dialect.insertEvents(run, this.tables, append, category),
      );
    }
    const runner = callerRunner ?? this.dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      try {
        const rows = await this.dialect.insertEvents(
          this.runOn(runner),
          this.tables,
          append,
          category,
        );
        if (rows) await runner.commitTransaction();
        else await runner.rollbackTransaction();
        return rows;
      } catch (error) {
        await runner.rollbackTransaction();
        throw error;
      }
    } finally {
      if (!callerRunner) await runner.release();
    }
  }

  /**
   * The append did not go in. Either it is a retry of an append that already went in (same event
   * ids, same place: return the original result), or a real conflict.
   */
  private async resolveConflict(append: PreparedAppend, kind: ConflictKind): Promise<AppendResult> {
    if (append.idsFromCaller || kind === 'event_id') {
      const ids = append.events.map((e) => e.eventId);
      const stored = (
        await this.query(
          `SELECT ${this.dialect.columns} FROM ${this.tables.events} WHERE event_id IN (${toQuestionMarks(ids.length)})`,
          ids,
        )
      ).records.map((row) => decodeEvent(row));
      if (isRetriedAppend(append, stored)) {
        const ordered = stored.sort((a, b) => a.version - b.version);
        return {
          streamId: append.streamId,
          nextExpectedVersion: ordered[ordered.length - 1].version,
          events: ordered,
        };
      }
      if (stored.length > 0 || kind === 'event_id') {
        throw new DuplicateEventIdError(
          append.streamId,
          stored.length ? stored.map((e) => e.eventId) : ids,
        );
      }
    }
    const actual = await this.streamVersion(append.streamId);
    throw new ConcurrencyError(append.streamId, append.expectedVersion, actual);
  }

  private query(
    sql: string,
    params: readonly unknown[],
    options?: { prepared?: boolean },
  ): Promise<SqlResult> {
    return withConnectionLock(this.dataSource, () =>
      this.withPoolRunner((run) => run(sql, params, options)),
    );
  }

  /**
   * Statements outside any transaction. A prepared statement goes straight to the driver's pool
   * (no TypeORM query runner on the hot paths); anything else takes a query runner when needed.
   */
  private async withPoolRunner<T>(work: (run: SqlRunner) => Promise<T>): Promise<T> {
    let runner: QueryRunner | undefined;
    const run: SqlRunner = async (sql, params, options) => {
      if (options?.prepared && this.dialect.runPrepared) {
        return this.dialect.runPrepared(this.dataSource, this.dialect.bind(sql), params);
      }
      runner ??= this.dataSource.createQueryRunner();
      return this.runOn(runner)(sql, params);
    };
    try {
      return await work(run);
    } finally {
      await runner?.release();
    }
  }

  private runOn(runner: QueryRunner): SqlRunner {
    return async (sql, params, options) => {
      const bound = this.dialect.bind(sql);
      if (options?.prepared && this.dialect.runPrepared) {
        return this.dialect.runPrepared(runner, bound, params);
      }
      return (await runner.query(bound, params as unknown[], true)) as SqlResult;
    };
  }
}

function appendResult(append: PreparedAppend, rows: InsertedRow[]): AppendResult {
  return {
    streamId: append.streamId,
    nextExpectedVersion: rows[rows.length - 1].version,
    events: append.events.map((event, i) => ({
      eventId: event.eventId,
      type: event.type,
      streamId: append.streamId,
      version: rows[i].version,
      globalPosition: rows[i].globalPosition,
      data: JSON.parse(event.data) as unknown,
      metadata: JSON.parse(event.metadata) as StoredEvent['metadata'],
      occurredAt: rows[i].occurredAt,
    })),
  };
}

/** The query runner of a caller's open transaction, if the given manager has one. */
function transactionOf(manager: unknown): QueryRunner | undefined {
  const runner = (manager as EntityManager | undefined)?.queryRunner;
  return runner?.isTransactionActive ? runner : undefined;
}
