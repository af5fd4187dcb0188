import { DataSource, type QueryRunner } from 'typeorm';
import type { SqlResult } from './sql-dialect.js';

/** The callback API of a mysql2 pool or pooled connection, as TypeORM's driver holds them. */
interface MysqlQueryable {
  query(
    sql: string,
    values: unknown[],
    callback: (error: Error | null, result: unknown) => void,
  ): unknown;
}

/**
 * Straight on the driver's pool (or the runner's connection): no TypeORM query runner to create
 * and release per statement. Text protocol, so any statement (CALL, LIMIT ?) runs as it would
 * through TypeORM. A replicated DataSource (no single pool) goes through a query runner.
 */
export async function runMysqlPrepared(
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
