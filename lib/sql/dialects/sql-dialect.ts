import type { DataSource, QueryRunner } from 'typeorm';
import type { PreparedAppend } from '../../core/prepared-append.js';
import type { ExpectedVersion } from '../../core/event-store.types.js';
import type { HeldBackCause } from '../../core/held-back-cause.js';
import type { InboxDialect } from './inbox-dialect.js';
import type { SagaDialect } from './saga-dialect.js';
import type { SubscriptionDialect } from './subscription-dialect.js';

/**
 * Runs one statement (with `?` placeholders) and returns rows and affected-row counts. `prepared`
 * asks for a server-side prepared statement where the dialect has one (hot paths).
 */
export type SqlRunner = (
  sql: string,
  params: readonly unknown[],
  options?: SqlRunOptions,
) => Promise<SqlResult>;

export interface SqlRunOptions {
  prepared?: boolean;
  /**
   * Where the driver streams rows (mysql2, prepared): gets each row as it arrives, instead of in
   * `records` (the result says `streamed`). Elsewhere the rows come back in `records` as usual. An
   * error it throws fails the statement.
   */
  eachRow?: (row: Record<string, unknown>) => void;
}

export interface SqlResult {
  records: Record<string, unknown>[];
  affected?: number;
  raw: unknown;
  /** Set when the rows went to `eachRow` as they arrived (`records` is then empty). */
  streamed?: boolean;
}

export interface EventTables {
  /** Quoted, schema-qualified names. */
  events: string;
  head: string;
  snapshots: string;
  /** Unquoted prefix, used to name constraints and indexes. */
  prefix: string;
}

/** What an insert reports back for each event, in append order. */
export interface InsertedRow {
  globalPosition: number;
  version: number;
  occurredAt: Date;
  checkpoint: string;
}

export type ConflictKind = 'stream_version' | 'event_id';

export interface ReadAllQuery {
  afterCheckpoint: string | undefined;
  maxCount: number;
  /** SQL like `type IN (?, ?)`, or undefined when nothing is filtered. */
  filter?: { sql: string; params: unknown[] };
}

/**
 * One database's dialect: everything that differs between databases, and nothing else, for the
 * events (here), the subscriptions, the saga tables and the forwarding inbox (one part each). The
 * instance registry's SQL is portable: it needs only `bind`. Shared logic (validation, conflict
 * resolution, idempotency, row decoding) lives in the stores. Adding a database means one
 * `<database>.dialect.ts` implementing this, plus one line in `dialectFor`.
 */
export interface SqlDialect extends EventDialect {
  readonly subscriptions: SubscriptionDialect;
  readonly sagas: SagaDialect;
  readonly inbox: InboxDialect;
}

/** What differs between databases for the events, their stream heads and snapshots. */
export interface EventDialect {
  readonly name: 'postgres' | 'mysql' | 'sqlite';
  /**
   * Whether the driver gives the DataSource one connection shared by every caller (better-sqlite3),
   * so work that must not interleave on it takes turns (see connection-lock.ts).
   */
  readonly sharedConnection?: true;
  /** Whether an append needs its own transaction when the caller gives none. */
  readonly appendNeedsTransaction: boolean;
  /** `?` placeholders into this database's form. */
  bind(sql: string): string;
  quoteTable(schema: string | undefined, name: string): string;
  /** Idempotent DDL; creates the schema (PostgreSQL) or database (MySQL) too when one is named. */
  schemaStatements(tables: EventTables, schema?: string): string[];
  /** Where a reader starts: before the first event. */
  readonly startCheckpoint: string;
  /** Session-level lock around migrations, so two instances starting at once do not race. */
  readonly migrationLock?: { acquire: string; release: string };
  /** Column list (in `?`-SQL) selected for a stored event. */
  readonly columns: string;
  /**
   * Inserts the events if the stream is at the expected version; returns undefined (writing
   * nothing) when it is not. A lost race surfaces as a unique violation.
   */
  insertEvents(
    run: SqlRunner,
    tables: EventTables,
    append: PreparedAppend,
    category: string,
  ): Promise<InsertedRow[] | undefined>;
  /**
   * Where the dialect has one: the append outside any transaction as a single self-committing
   * round trip (same contract as `insertEvents`). Used when no caller's transaction is open and
   * nothing else has to run inside the append's transaction.
   */
  insertAlone?(
    run: SqlRunner,
    tables: EventTables,
    append: PreparedAppend,
    category: string,
  ): Promise<InsertedRow[] | undefined>;
  /** The statement of an aggregate load (see `historySql`), with or without its snapshot. */
  historySql(tables: EventTables, withSnapshot: boolean): string;
  /** Inserts or replaces the snapshot of a stream: (stream_id, version, revision, state). */
  readonly upsertSnapshotSql: (t: EventTables) => string;
  /** A page of the global log in this database's gap-safe order. */
  readAllSql(tables: EventTables, query: ReadAllQuery): { sql: string; params: unknown[] };
  /**
   * What holds readers of the global log back now (PostgreSQL: the transaction holding this
   * database's horizon; MySQL: the one holding the append lock), or undefined when nothing does.
   * Statements run one after the other on one connection.
   */
  heldBackBy?(run: SqlRunner, tables: EventTables): Promise<HeldBackCause | undefined>;
  /** Selects the newest committed row's checkpoint columns (ignores any read horizon). */
  headSql(tables: EventTables): string;
  /** The checkpoint right after a row read by `readAllSql`. */
  checkpointOf(row: Record<string, unknown>): string;
  /** Whether checkpoint a is after checkpoint b. */
  isAfter(a: string, b: string): boolean;
  conflictKind(error: unknown): ConflictKind | undefined;
  /**
   * Runs an already bound statement as a named prepared statement: on the runner's connection, or
   * (given the DataSource) on any connection of the driver's pool, outside a transaction.
   */
  runPrepared?(
    target: QueryRunner | DataSource,
    sql: string,
    params: readonly unknown[],
    eachRow?: SqlRunOptions['eachRow'],
  ): Promise<SqlResult>;
  /**
   * Where the driver pools connections: makes waiting for one end after `timeoutMs` with
   * `ConnectionAcquireTimeoutError` instead of hanging.
   */
  guardPoolAcquire?(dataSource: DataSource, timeoutMs: number): void;
}

/** `cur.v` compared with the expected version, as SQL with `?` placeholders. */
export function versionCondition(
  expected: ExpectedVersion,
  current: string,
): { sql: string; params: unknown[] } {
  if (expected === 'any') return { sql: '1 = 1', params: [] };
  if (expected === 'no_stream') return { sql: `${current} = 0`, params: [] };
  if (expected === 'stream_exists') return { sql: `${current} > 0`, params: [] };
  return { sql: `${current} = ?`, params: [expected] };
}

/** The driver error inside TypeORM's QueryFailedError, or the error itself. */
export function driverError(error: unknown): Record<string, unknown> {
  if (typeof error !== 'object' || error === null) return {};
  const inner = (error as { driverError?: unknown }).driverError;
  return (typeof inner === 'object' && inner !== null ? inner : error) as Record<string, unknown>;
}

export function toQuestionMarks(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}
