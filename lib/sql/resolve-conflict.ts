import { ConcurrencyError } from '../core/errors/concurrency.error.js';
import { DuplicateEventIdError } from '../core/errors/duplicate-event-id.error.js';
import type { AppendResult } from '../core/event-store.types.js';
import { isRetriedAppend, type PreparedAppend } from '../core/prepared-append.js';
import {
  toQuestionMarks,
  type ConflictKind,
  type EventTables,
  type SqlDialect,
  type SqlRunner,
} from './dialects/sql-dialect.js';
import { decodeEvent } from './event-row.js';

/**
 * The append did not go in. Either it is a retry of an append that already went in (same event
 * ids, same place: return the original result), or a real conflict. `run` is the connection the
 * append ran on: inside a transaction, asking the pool for another one could wait forever.
 */
export async function resolveConflict(
  run: SqlRunner,
  dialect: SqlDialect,
  tables: EventTables,
  append: PreparedAppend,
  kind: ConflictKind,
): Promise<AppendResult> {
  if (append.idsFromCaller || kind === 'event_id') {
    const ids = append.events.map((e) => e.eventId);
    const stored = (
      await run(
        `SELECT ${dialect.columns} FROM ${tables.events} WHERE event_id IN (${toQuestionMarks(ids.length)})`,
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
  const result = await run(`SELECT MAX(version) AS v FROM ${tables.events} WHERE stream_id = ?`, [
    append.streamId,
  ]);
  const actual = Number(result.records[0]?.v ?? 0);
  throw new ConcurrencyError(append.streamId, append.expectedVersion, actual);
}
