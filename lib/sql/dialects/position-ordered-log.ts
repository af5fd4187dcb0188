import {
  compareCheckpoints,
  formatCheckpoint,
  parsePositionCheckpoint,
} from '../../core/checkpoint.js';
import type { EventTables, ReadAllQuery } from './sql-dialect.js';

/**
 * Reading the global log where positions are handed out in commit order (SQLite's single writer,
 * MySQL's serialised head), so "position > checkpoint" cannot skip a committed event.
 */
export const positionOrderedLog = {
  readAllSql(columns: string, t: EventTables, q: ReadAllQuery): { sql: string; params: unknown[] } {
    const after = parsePositionCheckpoint(q.afterCheckpoint);
    const page = `SELECT 'e' AS kind, ${columns} FROM ${t.events} WHERE global_position > ?`;
    if (!q.filter) {
      return {
        sql: `${page} ORDER BY global_position LIMIT ?`,
        params: [after, q.maxCount],
      };
    }
    // The last row, read in the same statement, lets a filtered reader move past what it skipped.
    return {
      sql: `SELECT * FROM (${page} AND ${q.filter.sql} ORDER BY global_position LIMIT ?) p
UNION ALL SELECT * FROM (SELECT 'h' AS kind, ${columns} FROM ${t.events}
ORDER BY global_position DESC LIMIT 1) q ORDER BY kind, global_position`,
      params: [after, ...q.filter.params, q.maxCount],
    };
  },

  headSql(this: void, t: EventTables): string {
    return `SELECT global_position FROM ${t.events} ORDER BY global_position DESC LIMIT 1`;
  },

  checkpointOf(this: void, row: Record<string, unknown>): string {
    return formatCheckpoint(row.global_position as string);
  },

  isAfter(this: void, a: string, b: string): boolean {
    return compareCheckpoints(a, b) > 0;
  },
};
