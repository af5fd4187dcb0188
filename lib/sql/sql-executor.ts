import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { TransactionHandle } from '../core/transaction-handle.js';
import { transactionOf } from './after-commit.js';
import { connectionLockOf, type ConnectionLock } from './connection-lock.js';
import type { SqlDialect, SqlResult, SqlRunner } from './dialects/sql-dialect.js';

/**
 * The one place that runs SQL on a DataSource's connections, for every SQL store: a statement
 * (in the caller's transaction or on a connection of its own), a transaction, a prepared statement
 * on the hot paths, and the lock that keeps better-sqlite3's single shared connection to one
 * caller at a time. SQL is written with `?` placeholders; the dialect binds them.
 *
 * Invariant: inside a transaction nothing asks the pool for a second connection. `run` with a
 * handle whose transaction is open stays on that connection; `pooled` must never be called while
 * holding one.
 */
export class SqlExecutor {
  /** SQLite's shared connection's lock, resolved here once; undefined where connections are pooled. */
  private readonly connectionLock: ConnectionLock | undefined;

  constructor(
    readonly dataSource: DataSource,
    readonly dialect: SqlDialect,
  ) {
    this.connectionLock = connectionLockOf(dataSource, dialect);
  }

  /** One statement: in the transaction behind `tx` when it has one open, else on its own connection. */
  run(sql: string, params: readonly unknown[] = [], tx?: TransactionHandle): Promise<SqlResult> {
    const runner = transactionOf(tx);
    if (runner) return this.on(runner)(sql, params);
    return this.withRunner((own) => this.on(own)(sql, params));
  }

  /** Statements on one query runner's connection (inside its transaction, if one is open). */
  on(runner: QueryRunner): SqlRunner {
    const dialect = this.dialect;
    return async (sql, params, options) => {
      const bound = dialect.bind(sql);
      if (options?.prepared && dialect.runPrepared) {
        return dialect.runPrepared(runner, bound, params, options.eachRow);
      }
      return (await runner.query(bound, params as unknown[], true)) as SqlResult;
    };
  }

  /** A query runner of its own for `work` (alone on SQLite's shared connection), released after. */
  withRunner<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    return this.lock(async () => {
      const runner = this.dataSource.createQueryRunner();
      try {
        return await work(runner);
      } finally {
        await runner.release();
      }
    });
  }

  /**
   * Statements outside any transaction. A prepared statement goes straight to the driver's pool
   * (no TypeORM query runner on the hot paths); anything else takes a query runner when needed.
   * Never call it while holding a transaction: it asks the pool for another connection.
   */
  async pooled<T>(work: (run: SqlRunner) => Promise<T>): Promise<T> {
    const { dataSource, dialect } = this;
    let runner: QueryRunner | undefined;
    const run: SqlRunner = async (sql, params, options) => {
      if (options?.prepared && dialect.runPrepared) {
        return dialect.runPrepared(dataSource, dialect.bind(sql), params, options.eachRow);
      }
      runner ??= dataSource.createQueryRunner();
      return this.on(runner)(sql, params, options);
    };
    try {
      return await work(run);
    } finally {
      await runner?.release();
    }
  }

  /** `dataSource.transaction(work)`, one at a time on SQLite's shared connection. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.lock(() => this.dataSource.transaction(work));
  }

  /** Runs `work` alone on the connection when that is SQLite's single shared one (re-entrant). */
  lock<T>(work: () => Promise<T>): Promise<T> {
    return this.connectionLock ? this.connectionLock.run(work) : work();
  }

  /** Idempotent DDL under the dialect's migration lock, so instances starting at once do not race. */
  async migrate(statements: readonly string[]): Promise<void> {
    const lock = this.dialect.migrationLock;
    await this.withRunner(async (runner) => {
      if (lock) await runner.query(lock.acquire);
      try {
        for (const statement of statements) await runner.query(statement);
      } finally {
        if (lock) await runner.query(lock.release);
      }
    });
  }
}
