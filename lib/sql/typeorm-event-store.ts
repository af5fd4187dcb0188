import type { DataSource } from 'typeorm';
import type { AggregateHistory, ReadHistoryOptions } from '../core/aggregate-history.js';
import { EventStore } from '../core/event-store.js';
import type {
  AppendOptions,
  AppendResult,
  NewEvent,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  StoredEvent,
} from '../core/event-store.types.js';
import { InlineAppendHandlers, type InlineAppendHandler } from '../core/inline-append-handler.js';
import { prepareAppend, type PreparedAppend } from '../core/prepared-append.js';
import { assertValidStreamId } from '../core/stream-id.js';
import { assertValidReadAllOptions, assertValidReadStreamOptions } from '../core/read-options.js';
import type {
  EventTables,
  SqlDialect,
  SqlResult,
  SqlRunOptions,
  SqlRunner,
} from './dialects/sql-dialect.js';
import { afterCommit, transactionOf } from './after-commit.js';
import type { HeldBackCause } from '../core/held-back-cause.js';
import { appendOn, appendStatement, type AppendContext } from './append-on-runner.js';
import { decodeEvent } from './event-row.js';
import { readAllFilter, readAllPage, readStreamQuery } from './event-log-queries.js';
import { decodeHistory, HistoryDecoder } from './history-rows.js';
import { tableLocation } from './table-location.js';
import type { SqlExecutor } from './sql-executor.js';
import { TypeOrmSnapshotStore } from './typeorm-snapshot-store.js';
import type { TypeOrmEventStoreOptions } from './typeorm-event-store.options.js';

/**
 * The event store over a TypeORM `DataSource` (PostgreSQL, MySQL/MariaDB, SQLite through
 * better-sqlite3). Hot paths run plain parameterised SQL through TypeORM's query runners and pool.
 */
export class TypeOrmEventStore extends EventStore {
  readonly dialect: SqlDialect;
  private readonly tables: EventTables;
  private readonly schema: string | undefined;
  private readonly appendedListeners = new Set<() => void>();
  /** The snapshot stores this store made: their table can be read with the events. */
  private readonly ownSnapshots = new WeakSet<object>();
  private readonly historySql: Record<'events' | 'withSnapshot', string>;
  private readonly inline = new InlineAppendHandlers();
  private readonly appendContext: AppendContext;
  private readonly sql: SqlExecutor;

  constructor(
    private readonly dataSource: DataSource,
    options: TypeOrmEventStoreOptions = {},
  ) {
    super();
    const location = tableLocation(dataSource, options);
    this.dialect = location.dialect;
    this.sql = location.sql;
    this.schema = location.schema;
    this.tables = {
      events: location.table('events'),
      head: location.table('head'),
      snapshots: location.table('snapshots'),
      prefix: location.prefix,
    };
    this.historySql = {
      events: this.dialect.historySql(this.tables, false),
      withSnapshot: this.dialect.historySql(this.tables, true),
    };
    this.appendContext = { sql: this.sql, dialect: this.dialect, tables: this.tables };
  }

  /** Calls `listener` after each append commits (a caller's transaction: when it commits). */
  onAppended(listener: () => void): () => void {
    this.appendedListeners.add(listener);
    return () => this.appendedListeners.delete(listener);
  }

  /** Snapshots kept in this store's database, in the table its migration creates. */
  createSnapshotStore(): TypeOrmSnapshotStore {
    const snapshots = new TypeOrmSnapshotStore(this.sql, this.tables);
    this.ownSnapshots.add(snapshots);
    return snapshots;
  }

  /**
   * One prepared statement: the snapshot (when it is in this store's table) and the events after
   * it, each row decoded once. Other snapshot stores are read as the base class does.
   */
  override async readHistory(
    streamId: string,
    options: ReadHistoryOptions = {},
  ): Promise<AggregateHistory> {
    if (options.snapshots && !this.ownSnapshots.has(options.snapshots)) {
      return super.readHistory(streamId, options);
    }
    assertValidStreamId(streamId);
    const withSnapshot = options.snapshots !== undefined;
    // MariaDB/MySQL stream the rows to the decoder as they arrive; other drivers return them.
    const history = new HistoryDecoder(streamId);
    const run = { prepared: true, eachRow: history.add };
    const result = await (withSnapshot
      ? this.query(
          this.historySql.withSnapshot,
          [streamId, streamId, streamId, options.snapshotRevision ?? null],
          run,
        )
      : this.query(this.historySql.events, [streamId, 0], run));
    return result.streamed ? history.result() : decodeHistory(streamId, result.records);
  }

  /** The DDL `migrate()` runs, for a DBA to review or apply by hand. Idempotent. */
  schemaSql(): string[] {
    return this.dialect.schemaStatements(this.tables, this.schema);
  }

  /** Creates the store's tables if they do not exist. Safe to run from several instances at once. */
  async migrate(): Promise<void> {
    await this.sql.migrate(this.schemaSql());
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
      const run = callerRunner ? this.sql.on(callerRunner) : undefined;
      const version = await this.versionOf(streamId, run);
      return { streamId, nextExpectedVersion: version, events: [] };
    }
    const inline = this.inline.matching(append.events.map((e) => e.type));
    if (callerRunner) {
      const result = await appendOn(this.appendContext, callerRunner, append, inline);
      // Workers are woken when the caller's transaction commits; a rollback wakes nobody.
      afterCommit(callerRunner, () => this.notifyAppended());
      return result;
    }
    const result =
      inline.length === 0 && (this.dialect.insertAlone || !this.dialect.appendNeedsTransaction)
        ? await this.appendStatement(append)
        : await this.sql.withRunner((runner) =>
            appendOn(this.appendContext, runner, append, inline),
          );
    this.notifyAppended();
    return result;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    assertValidStreamId(streamId);
    assertValidReadStreamOptions(options);
    const { sql, params } = readStreamQuery(this.dialect, this.tables, streamId, options);
    const result = await this.query(sql, params, { prepared: true });
    return result.records.map((row) => decodeEvent(row));
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    assertValidReadAllOptions(options);
    const maxCount = options.maxCount ?? 1000;
    const { sql, params } = this.dialect.readAllSql(this.tables, {
      afterCheckpoint: options.after,
      maxCount,
      filter: readAllFilter(options),
    });
    const rows = (await this.query(sql, params, { prepared: true })).records;
    return readAllPage(this.dialect, rows, maxCount, options.after);
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
    return this.sql.lock(() => this.sql.pooled((run) => probe(run, this.tables)));
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
    await this.sql.transaction(async (manager) => {
      const run = this.sql.on(manager.queryRunner!);
      await run(`DELETE FROM ${this.tables.events} WHERE stream_id = ?`, [streamId]);
      await run(`DELETE FROM ${this.tables.snapshots} WHERE stream_id = ?`, [streamId]);
    });
  }

  /**
   * One self-committing statement (PostgreSQL; MySQL's append procedure), nothing inline: no
   * transaction to hold on the client side.
   */
  private appendStatement(append: PreparedAppend): Promise<AppendResult> {
    return appendStatement(this.appendContext, append, (work) => this.sql.pooled(work));
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
    options?: SqlRunOptions,
  ): Promise<SqlResult> {
    return this.sql.lock(() => this.sql.pooled((run) => run(sql, params, options)));
  }
}
