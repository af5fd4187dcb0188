import type { PreparedAppend } from '../../core/prepared-append.js';
import type { EventTables, InsertedRow, SqlRunner } from './sql-dialect.js';

/**
 * The lossless MySQL/MariaDB append (head row locked, positions taken, versions checked, rows
 * inserted, committed) as one stored procedure, so an append outside a caller's transaction costs
 * one client round trip instead of four: every append of the database waits behind the head lock,
 * and each round trip made while holding it was a round trip every other writer waited for too.
 *
 * The name carries a version: a later release that changes the body creates a new procedure
 * beside this one instead of replacing it under running applications.
 */
const PROCEDURE = 'append_v1';

/** `expected` as the procedure takes it: -2 any, -1 the stream must exist, n >= 0 exactly n. */
function expectedCode(append: PreparedAppend): number {
  const expected = append.expectedVersion;
  if (expected === 'any') return -2;
  if (expected === 'stream_exists') return -1;
  if (expected === 'no_stream') return 0;
  return expected;
}

/** The procedure's quoted name, beside the head table (same schema, same prefix). */
export function appendProcedureName(t: EventTables): string {
  return t.head.replace(/head`$/, `${PROCEDURE}\``);
}

/**
 * CREATE PROCEDURE IF NOT EXISTS needs MariaDB 10.1.3 or MySQL 8.0.29. Parameters are declared
 * utf8mb4_bin like the table's columns, so the stream lookup uses its index whatever the
 * connection's character set. One event travels as plain parameters; several as one JSON array of
 * `[event_id, type, data text, metadata text]` (any number of events, one parameter), the payloads
 * JSON strings inside it, so JSON_TABLE hands back exactly the text the library serialised.
 */
export function appendProcedureSql(t: EventTables): string {
  const text = 'CHARACTER SET utf8mb4 COLLATE utf8mb4_bin';
  return `CREATE PROCEDURE IF NOT EXISTS ${appendProcedureName(t)}(
  IN p_stream VARCHAR(255) ${text}, IN p_category VARCHAR(255) ${text}, IN p_expected BIGINT,
  IN p_count INT, IN p_created_at DATETIME(6), IN p_id CHAR(36) CHARACTER SET ascii,
  IN p_type VARCHAR(255) ${text}, IN p_data LONGTEXT ${text}, IN p_meta LONGTEXT ${text},
  IN p_events LONGTEXT ${text})
BEGIN
  DECLARE v_last BIGINT DEFAULT NULL;
  DECLARE v_version INT DEFAULT 0;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
  START TRANSACTION;
  UPDATE ${t.head} SET position = position + p_count WHERE id = 1;
  SELECT position INTO v_last FROM ${t.head} WHERE id = 1;
  IF v_last IS NULL THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'the head row of ${t.head.replace(/`/g, '')} is missing; run the event store migration';
  END IF;
  SELECT version INTO v_version FROM ${t.events} WHERE stream_id = p_stream
    ORDER BY version DESC LIMIT 1 FOR UPDATE;
  IF (p_expected = -1 AND v_version = 0) OR (p_expected >= 0 AND v_version <> p_expected) THEN
    ROLLBACK;
    SELECT NULL AS last_position, v_version AS version;
  ELSEIF p_events IS NULL THEN
    INSERT INTO ${t.events} (global_position, stream_id, category, version, event_id, type, data, metadata, created_at)
    VALUES (v_last, p_stream, p_category, v_version + 1, p_id, p_type, p_data, p_meta, p_created_at);
    COMMIT;
    SELECT v_last AS last_position, v_version AS version;
  ELSE
    INSERT INTO ${t.events} (global_position, stream_id, category, version, event_id, type, data, metadata, created_at)
    SELECT v_last - p_count + e.ord, p_stream, p_category, v_version + e.ord, e.id, e.type, e.data, e.meta, p_created_at
    FROM JSON_TABLE(p_events, '$[*]' COLUMNS (
      ord FOR ORDINALITY,
      id CHAR(36) CHARACTER SET ascii PATH '$[0]' ERROR ON EMPTY,
      type VARCHAR(255) ${text} PATH '$[1]' ERROR ON EMPTY,
      data LONGTEXT ${text} PATH '$[2]' ERROR ON EMPTY,
      meta LONGTEXT ${text} PATH '$[3]' ERROR ON EMPTY)) e
    ORDER BY e.ord;
    COMMIT;
    SELECT v_last AS last_position, v_version AS version;
  END IF;
END`;
}

/**
 * Appends outside any transaction with one CALL; undefined (nothing written) when the stream is
 * not at the expected version. A duplicate event id or version is re-raised as the INSERT's error.
 */
export async function callAppendProcedure(
  run: SqlRunner,
  t: EventTables,
  append: PreparedAppend,
  category: string,
  createdAt: string,
): Promise<{ last: number; version: number } | undefined> {
  const { events } = append;
  const one = events.length === 1 ? events[0] : undefined;
  let many: string | null = null;
  if (!one) {
    many = '[';
    for (const [i, e] of events.entries()) {
      if (i > 0) many += ',';
      // Ids are lower-case UUIDs and types were checked to hold no control characters.
      many += `["${e.eventId}",${JSON.stringify(e.type)},${JSON.stringify(e.data)},${JSON.stringify(e.metadata)}]`;
    }
    many += ']';
  }
  const result = await run(
    `CALL ${appendProcedureName(t)}(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      append.streamId,
      category,
      expectedCode(append),
      events.length,
      createdAt,
      one?.eventId ?? null,
      one?.type ?? null,
      one?.data ?? null,
      one?.metadata ?? null,
      many,
    ],
    { prepared: true },
  );
  const row = result.records[0];
  if (row?.last_position === null || row?.last_position === undefined) return undefined;
  return { last: Number(row.last_position), version: Number(row.version) };
}

/** What the procedure wrote, in append order. */
export function insertedRows(
  append: PreparedAppend,
  last: number,
  version: number,
  occurredAt: Date,
): InsertedRow[] {
  const first = last - append.events.length + 1;
  return append.events.map((_, i) => ({
    globalPosition: first + i,
    version: version + i + 1,
    occurredAt,
    checkpoint: String(first + i),
  }));
}
