import type { ExpectedVersion } from '../../core/event-store.types.js';
import type { PreparedAppend } from '../../core/prepared-append.js';
import {
  versionCondition,
  type EventTables,
  type InsertedRow,
  type SqlRunner,
} from './sql-dialect.js';

// Epoch milliseconds and the id as text: node-postgres parses a timestamptz far slower than a number.
const RETURNING =
  'RETURNING global_position, version, (EXTRACT(EPOCH FROM created_at) * 1000)::float8 AS created_at, tx_id::text AS tx_id';

/** The statements, built once per tables, expectation kind and shape (one event or several). */
const statements = new WeakMap<EventTables, Map<string, string>>();

function statement(t: EventTables, expected: ExpectedVersion, single: boolean): string {
  let built = statements.get(t);
  if (built === undefined) statements.set(t, (built = new Map<string, string>()));
  const key =
    typeof expected === 'number' ? (single ? 'n1' : 'n') : single ? `${expected}1` : expected;
  let sql = built.get(key);
  if (sql !== undefined) return sql;
  const condition = versionCondition(expected, 'cur.v').sql;
  const current = `(SELECT COALESCE(MAX(version), 0) AS v FROM ${t.events} WHERE stream_id = ?) cur`;
  const columns = '(stream_id, category, version, event_id, type, data, metadata)';
  // One statement checks the version and inserts, committing by itself outside a transaction. One
  // event binds plain values: no arrays for node-postgres to encode and the server to take apart.
  sql = single
    ? `INSERT INTO ${t.events} ${columns}
SELECT ?, ?, cur.v + 1, ?::uuid, ?, ?::jsonb, ?::jsonb FROM ${current}
WHERE ${condition}
${RETURNING}`
    : `INSERT INTO ${t.events} ${columns}
SELECT ?, ?, cur.v + e.ord, e.id, e.type, e.data, e.meta
FROM ${current},
  unnest(?::uuid[], ?::text[], ?::jsonb[], ?::jsonb[]) WITH ORDINALITY AS e(id, type, data, meta, ord)
WHERE ${condition}
ORDER BY e.ord
${RETURNING}`;
  built.set(key, sql);
  return sql;
}

/** The PostgreSQL append: one prepared statement; undefined when the stream is elsewhere. */
export async function insertPostgresEvents(
  run: SqlRunner,
  t: EventTables,
  append: PreparedAppend,
  category: string,
): Promise<InsertedRow[] | undefined> {
  const { events, expectedVersion, streamId } = append;
  const single = events.length === 1;
  const params: unknown[] = single
    ? [
        streamId,
        category,
        events[0].eventId,
        events[0].type,
        events[0].data,
        events[0].metadata,
        streamId,
      ]
    : [
        streamId,
        category,
        streamId,
        events.map((e) => e.eventId),
        events.map((e) => e.type),
        events.map((e) => e.data),
        events.map((e) => e.metadata),
      ];
  if (typeof expectedVersion === 'number') params.push(expectedVersion);
  const { records } = await run(statement(t, expectedVersion, single), params, { prepared: true });
  if (records.length === 0) return undefined;
  const rows = records.map((row) => ({
    globalPosition: Number(row.global_position),
    version: row.version as number,
    occurredAt: new Date(row.created_at as number),
    checkpoint: `${row.tx_id as string}:${row.global_position as string}`,
  }));
  return single ? rows : rows.sort((a, b) => a.version - b.version);
}
