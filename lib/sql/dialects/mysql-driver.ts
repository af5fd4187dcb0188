import { DataSource, type QueryRunner } from 'typeorm';
import type { SqlResult, SqlRunOptions } from './sql-dialect.js';

/** The row events of a mysql2 query started without a callback. */
interface MysqlQueryEvents {
  on(event: 'result', listener: (row: Record<string, unknown>) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'end', listener: () => void): this;
}

/** The callback API of a mysql2 pool or pooled connection, as TypeORM's driver holds them. */
interface MysqlQueryable {
  query(
    sql: string,
    values: unknown[],
    callback: (error: Error | null, result: unknown) => void,
  ): unknown;
  query(sql: string, values: unknown[]): MysqlQueryEvents;
}

/**
 * Straight on the driver's pool (or the runner's connection): no TypeORM query runner to create
 * and release per statement. Text protocol, so any statement (CALL, LIMIT ?) runs as it would
 * through TypeORM. A replicated DataSource (no single pool) goes through a query runner. With
 * `eachRow`, rows go to it as mysql2 parses them off the wire (see `streamRows`).
 */
export async function runMysqlPrepared(
  target: QueryRunner | DataSource,
  sql: string,
  params: readonly unknown[],
  eachRow?: SqlRunOptions['eachRow'],
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
  if (eachRow) return streamRows(connection, sql, params, eachRow);
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

/**
 * A SELECT whose rows go to `eachRow` one by one as they arrive: decoding a row overlaps the
 * server sending the next ones (with a callback, mysql2 hands all rows over after the last). An
 * error of `eachRow` stops the decoding; the statement still reads its rows to the end, so the
 * connection goes back to the pool clean, and then fails with that error.
 */
function streamRows(
  connection: MysqlQueryable,
  sql: string,
  params: readonly unknown[],
  eachRow: NonNullable<SqlRunOptions['eachRow']>,
): Promise<SqlResult> {
  return new Promise((resolve, reject) => {
    let failure: Error | undefined;
    connection
      .query(sql, params as unknown[])
      .on('result', (row) => {
        if (failure) return;
        try {
          eachRow(row);
        } catch (error) {
          failure = error instanceof Error ? error : new Error(String(error));
        }
      })
      // Not always followed by 'end' (a connection the pool could not give), so it settles now.
      .on('error', reject)
      .on('end', () => {
        if (failure) reject(failure);
        else resolve({ records: [], affected: undefined, raw: undefined, streamed: true });
      });
  });
}
