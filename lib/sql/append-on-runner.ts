import type { QueryRunner } from 'typeorm';
import type { AppendResult, StoredEvent } from '../core/event-store.types.js';
import { InlineAppendHandlers, type InlineAppendHandler } from '../core/inline-append-handler.js';
import type { PreparedAppend } from '../core/prepared-append.js';
import { streamCategory } from '../core/stream-id.js';
import type {
  ConflictKind,
  EventTables,
  InsertedRow,
  SqlDialect,
  SqlRunner,
} from './dialects/sql-dialect.js';
import { resolveConflict } from './resolve-conflict.js';
import type { SqlExecutor } from './sql-executor.js';

/** 'any' appends retry a lost race on the next version; bounded only to stop a runaway loop. */
const MAX_ANY_ATTEMPTS = 1000;

export interface AppendContext {
  sql: SqlExecutor;
  dialect: SqlDialect;
  tables: EventTables;
}

/**
 * One self-committing insert statement, outside any transaction. `withRunner` lends a connection
 * for one step and takes it back, so conflict resolution never holds two.
 */
export async function appendStatement(
  ctx: AppendContext,
  append: PreparedAppend,
  withRunner: <T>(work: (run: SqlRunner) => Promise<T>) => Promise<T>,
): Promise<AppendResult> {
  const category = streamCategory(append.streamId);
  for (let attempt = 1; ; attempt++) {
    try {
      // Where the dialect has a one-round-trip append of its own (MySQL's procedure), that.
      const rows = await withRunner((run) =>
        ctx.dialect.insertAlone
          ? ctx.dialect.insertAlone(run, ctx.tables, append, category)
          : ctx.dialect.insertEvents(run, ctx.tables, append, category),
      );
      if (rows) return appendResult(append, rows);
      return await withRunner((run) =>
        resolveConflict(run, ctx.dialect, ctx.tables, append, 'stream_version'),
      );
    } catch (error) {
      const kind = retryOrConflict(ctx, error, append, attempt);
      if (kind === 'retry') continue;
      return await withRunner((run) => resolveConflict(run, ctx.dialect, ctx.tables, append, kind));
    }
  }
}

/**
 * Inserts the events and runs the inline handlers in one transaction on `runner`: its own, or a
 * savepoint in the caller's (so a lost race or a failing handler leaves that transaction usable).
 * Everything, conflict resolution included, stays on this one connection.
 */
export async function appendOn(
  ctx: AppendContext,
  runner: QueryRunner,
  append: PreparedAppend,
  inline: InlineAppendHandler[],
): Promise<AppendResult> {
  const category = streamCategory(append.streamId);
  const run = ctx.sql.on(runner);
  for (let attempt = 1; ; attempt++) {
    await runner.startTransaction();
    let result: AppendResult | undefined;
    try {
      const rows = await ctx.dialect.insertEvents(run, ctx.tables, append, category);
      if (rows) {
        result = appendResult(append, rows);
        await InlineAppendHandlers.run(inline, result.events, { manager: runner.manager });
      }
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      const kind = retryOrConflict(ctx, error, append, attempt);
      if (kind === 'retry') continue;
      return resolveConflict(run, ctx.dialect, ctx.tables, append, kind);
    }
    if (!result) {
      await runner.rollbackTransaction();
      return resolveConflict(run, ctx.dialect, ctx.tables, append, 'stream_version');
    }
    try {
      await runner.commitTransaction();
    } catch (error) {
      // A connection must not go back to the pool inside a transaction that failed to commit.
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    }
    return result;
  }
}

/** Rethrows what is not a conflict; 'retry' when an 'any' append lost a race for a version. */
function retryOrConflict(
  ctx: AppendContext,
  error: unknown,
  append: PreparedAppend,
  attempt: number,
): ConflictKind | 'retry' {
  const kind = ctx.dialect.conflictKind(error);
  if (kind === undefined) throw error;
  const lostRace = kind === 'stream_version' && append.expectedVersion === 'any';
  return lostRace && attempt < MAX_ANY_ATTEMPTS ? 'retry' : kind;
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
