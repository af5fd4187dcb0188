import type { PreparedAppend } from '../../core/prepared-append.js';
import { satisfiesExpectedVersion } from '../../core/expected-version.js';
import { MissingHeadRowError } from '../../core/errors/missing-head-row.error.js';
import { preciseNow } from '../precise-now.js';
import { callAppendProcedure, insertedRows } from './mysql-append-procedure.js';
import { mysqlDateTime } from './mysql-time.js';
import { driverError, type EventTables, type InsertedRow, type SqlRunner } from './sql-dialect.js';

/**
 * MySQL and MariaDB have no transaction-id horizon like PostgreSQL's, and AUTO_INCREMENT values are
 * taken before commit: a reader could pass position 11 while 10 is still uncommitted and never see
 * it. Gap tracking with a timeout fixes that only probabilistically (a slow transaction is lost, as
 * seen in Ecotone and Axon). So appends are serialised on a one-row head table: each append locks
 * the head, takes the next positions and commits before the next append can take any. Positions are
 * then gap-free and in commit order, and "position > checkpoint" can never skip a committed event.
 * The price is throughput (appends on one database run one at a time), paid for losslessness;
 * outside a caller's transaction an append is one stored-procedure call (one round trip), so the
 * head is held only for the server's own work.
 */
const COLUMNS =
  'global_position, stream_id, category, version, event_id, type, data, metadata, created_at';
const FIRST_ROW =
  'SELECT ? AS global_position, ? AS stream_id, ? AS category, ? AS version, ? AS event_id, ' +
  '? AS type, ? AS data, ? AS metadata, ? AS created_at';

/** The stream version an append expects when it names one, so its versions are known upfront. */
function knownVersion(append: PreparedAppend): number | undefined {
  if (append.expectedVersion === 'no_stream') return 0;
  return typeof append.expectedVersion === 'number' ? append.expectedVersion : undefined;
}

/** Outside a caller's transaction: the whole append in one CALL (see mysql-append-procedure). */
export async function insertMysqlAlone(
  run: SqlRunner,
  t: EventTables,
  append: PreparedAppend,
  category: string,
): Promise<InsertedRow[] | undefined> {
  const now = preciseNow();
  let written: Awaited<ReturnType<typeof callAppendProcedure>>;
  try {
    written = await callAppendProcedure(run, t, append, category, mysqlDateTime(now.iso));
  } catch (error) {
    // The procedure SIGNALs (SQLSTATE 45000) when the head row is gone.
    const e = driverError(error);
    if (e.sqlState === '45000' && String(e.sqlMessage).includes('head row')) {
      throw new MissingHeadRowError(t.head);
    }
    throw error;
  }
  return written && insertedRows(append, written.last, written.version, now.date);
}

export async function insertMysqlEvents(
  run: SqlRunner,
  t: EventTables,
  append: PreparedAppend,
  category: string,
): Promise<InsertedRow[] | undefined> {
  const count = append.events.length;
  // Locks the head until commit and reserves `count` positions; LAST_INSERT_ID(expr) hands the
  // new head back in the same round trip.
  const head = await run(
    `UPDATE ${t.head} SET position = LAST_INSERT_ID(position + ?) WHERE id = 1`,
    [count],
  );
  const last = Number((head.raw as { insertId?: number | string }).insertId);
  if (head.affected !== 1 || !Number.isSafeInteger(last)) {
    throw new MissingHeadRowError(t.head);
  }
  const now = preciseNow();
  const known = knownVersion(append);
  if (known !== undefined) {
    // The versions follow from the expected version: one guarded INSERT ... SELECT checks it and
    // writes (a round trip less). INSERT ... SELECT reads the stream's rows with locks, so it
    // sees the latest committed version.
    const inserted = await run(
      `INSERT INTO ${t.events} (${COLUMNS}) SELECT * FROM (` +
        append.events
          .map((_, i) => (i === 0 ? FIRST_ROW : 'SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?'))
          .join(' UNION ALL ') +
        `) e WHERE (SELECT COALESCE(MAX(version), 0) FROM ${t.events} WHERE stream_id = ?) = ?`,
      [...rows(append, category, last, known, now), append.streamId, known],
    );
    return inserted.affected === count ? insertedRows(append, last, known, now.date) : undefined;
  }
  // A locking read sees the latest committed version even inside an older snapshot.
  const current = await run(
    `SELECT version FROM ${t.events} WHERE stream_id = ? ORDER BY version DESC LIMIT 1 FOR UPDATE`,
    [append.streamId],
  );
  const version = current.records.length ? Number(current.records[0].version) : 0;
  if (!satisfiesExpectedVersion(append.expectedVersion, version)) return undefined;
  await run(
    `INSERT INTO ${t.events} (${COLUMNS}) VALUES ` +
      append.events.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', '),
    rows(append, category, last, version, now),
  );
  return insertedRows(append, last, version, now.date);
}

/** Parameters of the event rows, positions ending at `last`, versions after `version`. */
function rows(
  append: PreparedAppend,
  category: string,
  last: number,
  version: number,
  now: { iso: string },
): unknown[] {
  const createdAt = mysqlDateTime(now.iso);
  const first = last - append.events.length + 1;
  return append.events.flatMap((e, i) => [
    first + i,
    append.streamId,
    category,
    version + i + 1,
    e.eventId,
    e.type,
    e.data,
    e.metadata,
    createdAt,
  ]);
}
