import type { DataSource, QueryRunner } from 'typeorm';
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
  InlineAppendHandlers,
  type InlineAppendHandler,
} from '../event-store/inline-append-handler.js';
import { prepareAppend, type PreparedAppend } from '../event-store/prepared-append.js';
import { assertValidStreamId, streamCategory } from '../event-store/stream-id.js';
import {
  toQuestionMarks,
  type ConflictKind,
  type EventTables,
  type InsertedRow,
  type SqlDialect,
  type SqlResult,
  type SqlRunner,
} from './dialects/sql-dialect.js';
import { afterCommit, transactionOf } from './after-commit.js';
import { withConnectionLock } from './connection-lock.js';
import { resolveConflict } from './resolve-conflict.js';
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
  private readonly inline = new InlineAppendHandlers();

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

  /** Calls `listener` after each append commits (a caller's transaction: when it commits). */
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

  /** Adds work run inside every append of an event it handles (inline projections). */
  addInlineHandler(handler: InlineAppendHandler): () => void {
    return this.inline.add(handler);
  }

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const append = prepareAppend(streamId, events, options);
    const callerRunner = transactionOf(options.manager);
    if (append.events.length === 0) {
      const run = callerRunner ? this.runOn(callerRunner) : undefined;
      const version = await this.versionOf(streamId, run);
      return { streamId, nextExpectedVersion: version, events: [] };
    }
    const inline = this.inline.matching(append.events.map((e) => e.type));
    if (callerRunner) {
      const result = await this.appendOn(callerRunner, append, inline);
      // Workers are woken when the caller's transaction commits; a rollback wakes nobody.
      afterCommit(callerRunner, () => this.notifyAppended());
      return result;
    }
    const result =
      inline.length === 0 && !this.dialect.appendNeedsTransaction
        ? await this.appendStatement(append)
        : await withConnectionLock(this.dataSource, () => this.appendOnOwnRunner(append, inline));
    this.notifyAppended();
    return result;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    assertValidStreamId(streamId);
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
   * PostgreSQL: how long (ms) the oldest open transaction on the server has been holding readers
   * of the global log back (0 when none). Undefined on databases without such a horizon.
   */
  async readHorizonAgeMs(): Promise<number | undefined> {
    if (!this.dialect.heldBackSql) return undefined;
    const rows = (await this.query(this.dialect.heldBackSql, [])).records;
    return Math.round(Number(rows[0]?.ms ?? 0));
  }

  async streamVersion(streamId: string): Promise<number> {
    assertValidStreamId(streamId);
    return this.versionOf(streamId);
  }

  async streamExists(streamId: string): Promise<boolean> {
    return (await this.streamVersion(streamId)) > 0;
  }

  /** Deletes the stream's events and its snapshot in one transaction. */
  async deleteStream(streamId: string): Promise<void> {
    assertValidStreamId(streamId);
    await withConnectionLock(this.dataSource, () =>
      this.dataSource.transaction(async (manager) => {
        const run = this.runOn(manager.queryRunner!);
        await run(`DELETE FROM ${this.tables.events} WHERE stream_id = ?`, [streamId]);
        await run(`DELETE FROM ${this.tables.snapshots} WHERE stream_id = ?`, [streamId]);
      }),
    );
  }

  /** One self-committing statement (PostgreSQL, nothing inline): no transaction to hold. */
  private async appendStatement(append: PreparedAppend): Promise<AppendResult> {
    const category = streamCategory(append.streamId);
    for (let attempt = 1; ; attempt++) {
      try {
        const rows = await this.withPoolRunner((run) =>
          this.dialect.insertEvents(run, this.tables, append, category),
        );
        if (rows) return appendResult(append, rows);
        return await this.withPoolRunner((run) =>
          resolveConflict(run, this.dialect, this.tables, append, 'stream_version'),
        );
      } catch (error) {
        const kind = this.retryOrConflict(error, append, attempt);
        if (kind === 'retry') continue;
        return await this.withPoolRunner((run) =>
          resolveConflict(run, this.dialect, this.tables, append, kind),
        );
      }
    }
  }

  private async appendOnOwnRunner(
    append: PreparedAppend,
    inline: InlineAppendHandler[],
  ): Promise<AppendResult> {
    const runner = this.dataSource.createQueryRunner();
    try {
      return await this.appendOn(runner, append, inline);
    } finally {
      await runner.release();
    }
  }

  /**
   * Inserts the events and runs the inline handlers in one transaction on `runner`: its own, or a
   * savepoint in the caller's (so a lost race or a failing handler leaves that transaction usable).
   * Everything, conflict resolution included, stays on this one connection.
   */
  private async appendOn(
    runner: QueryRunner,
    append: PreparedAppend,
    inline: InlineAppendHandler[],
  ): Promise<AppendResult> {
    const category = streamCategory(append.streamId);
    const run = this.runOn(runner);
    for (let attempt = 1; ; attempt++) {
      await runner.startTransaction();
      let result: AppendResult | undefined;
      try {
        const rows = await this.dialect.insertEvents(run, this.tables, append, category);
        if (rows) {
          result = appendResult(append, rows);
          await InlineAppendHandlers.run(inline, result.events, { manager: runner.manager });
        }
      } catch (error) {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        const kind = this.retryOrConflict(error, append, attempt);
        if (kind === 'retry') continue;
        return resolveConflict(run, this.dialect, this.tables, append, kind);
      }
      if (result) {
        await runner.commitTransaction();
        return result;
      }
      await runner.rollbackTransaction();
      return resolveConflict(run, this.dialect, this.tables, append, 'stream_version');
    }
  }

  /** Rethrows what is not a conflict; 'retry' when an 'any' append lost a race for a version. */
  private retryOrConflict(
    error: unknown,
    append: PreparedAppend,
    attempt: number,
  ): ConflictKind | 'retry' {
    const kind = this.dialect.conflictKind(error);
    if (kind === undefined) throw error;
    const lostRace = kind === 'stream_version' && append.expectedVersion === 'any';
    return lostRace && attempt < MAX_ANY_ATTEMPTS ? 'retry' : kind;
  }

  private notifyAppended(): void {
    for (const listener of this.appendedListeners) listener();
  }

  private async versionOf(streamId: string, run?: SqlRunner): Promise<number> {
    const sql = `SELECT MAX(version) AS v FROM ${this.tables.events} WHERE stream_id = ?`;
    const result = run ? await run(sql, [streamId]) : await this.query(sql, [streamId]);
    return Number(result.records[0]?.v ?? 0);
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
