import type { DataSource, QueryRunner } from 'typeorm';
import type { SqlDialect, SqlResult, SqlRunner } from './dialects/sql-dialect.js';

/** Statements on one query runner's connection (inside its transaction, if one is open). */
export function runOn(dialect: SqlDialect, runner: QueryRunner): SqlRunner {
  return async (sql, params, options) => {
    const bound = dialect.bind(sql);
    if (options?.prepared && dialect.runPrepared) {
      return dialect.runPrepared(runner, bound, params);
    }
    return (await runner.query(bound, params as unknown[], true)) as SqlResult;
  };
}

/**
 * Statements outside any transaction. A prepared statement goes straight to the driver's pool
 * (no TypeORM query runner on the hot paths); anything else takes a query runner when needed.
 * Never call it while holding a transaction: it asks the pool for another connection.
 */
export async function withPoolRunner<T>(
  dataSource: DataSource,
  dialect: SqlDialect,
  work: (run: SqlRunner) => Promise<T>,
): Promise<T> {
  let runner: QueryRunner | undefined;
  const run: SqlRunner = async (sql, params, options) => {
    if (options?.prepared && dialect.runPrepared) {
      return dialect.runPrepared(dataSource, dialect.bind(sql), params);
    }
    runner ??= dataSource.createQueryRunner();
    return runOn(dialect, runner)(sql, params);
  };
  try {
    return await work(run);
  } finally {
    await runner?.release();
  }
}
