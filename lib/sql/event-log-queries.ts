import type {
  LogCheckpoint,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
} from '../core/event-store.types.js';
import {
  toQuestionMarks,
  type EventTables,
  type ReadAllQuery,
  type SqlDialect,
} from './dialects/sql-dialect.js';
import { decodeEvent } from './event-row.js';

/** The SQL of `readStream`: one stream's events from a version, either way, up to a count. */
export function readStreamQuery(
  dialect: SqlDialect,
  tables: EventTables,
  streamId: string,
  options: ReadStreamOptions,
): { sql: string; params: unknown[] } {
  const backward = options.direction === 'backward';
  const params: unknown[] = [streamId];
  let sql = `SELECT ${dialect.columns} FROM ${tables.events} WHERE stream_id = ?`;
  if (options.fromVersion !== undefined) {
    sql += backward ? ' AND version <= ?' : ' AND version >= ?';
    params.push(options.fromVersion);
  }
  sql += ` ORDER BY version ${backward ? 'DESC' : 'ASC'}`;
  if (options.maxCount !== undefined) {
    sql += ' LIMIT ?';
    params.push(options.maxCount);
  }
  return { sql, params };
}

/** The type and category filter of `readAll`; an empty list matches nothing. */
export function readAllFilter(options: ReadAllOptions): ReadAllQuery['filter'] {
  const filters: string[] = [];
  const params: unknown[] = [];
  for (const [column, values] of [
    ['type', options.types],
    ['category', options.categories],
  ] as const) {
    if (!values) continue;
    filters.push(values.length ? `${column} IN (${toQuestionMarks(values.length)})` : '1 = 0');
    params.push(...values);
  }
  return filters.length ? { sql: filters.join(' AND '), params } : undefined;
}

/**
 * The page `readAll` returns from the rows of `readAllSql`: events (kind `e`) and, at the end of
 * the log, the head row (kind `h`) that moves the checkpoint past events filtered out.
 */
export function readAllPage(
  dialect: SqlDialect,
  rows: Record<string, unknown>[],
  maxCount: number,
  after: LogCheckpoint | undefined,
): ReadAllResult {
  const events = rows
    .filter((row) => row.kind === 'e')
    .map((row) => decodeEvent(row, dialect.checkpointOf(row)));
  const isEnd = events.length < maxCount;
  let checkpoint = events.at(-1)?.checkpoint ?? after ?? dialect.startCheckpoint;
  const head = rows.find((row) => row.kind === 'h');
  if (isEnd && head) {
    const last = dialect.checkpointOf(head);
    if (dialect.isAfter(last, checkpoint)) checkpoint = last;
  }
  return { events, checkpoint, isEnd };
}
