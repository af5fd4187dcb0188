import type { FirstSeen, HeldBackCause } from '../../core/held-back-cause.js';
import { driverError, type EventTables, type SqlRunner } from './sql-dialect.js';

/** MariaDB reports a refused NOWAIT lock as a lock wait timeout; MySQL 8 has its own code. */
const LOCK_BUSY = new Set([1205, 3572]);

/**
 * On MySQL/MariaDB an append holds the head row locked until it commits, so a transaction that
 * appended and then stays open stops every other append (and so every reader) of this database.
 * A locking read that does not wait tells whether the head is locked now; the holder is then
 * named from `information_schema.innodb_trx` and the processlist where the PROCESS privilege
 * allows: the oldest transaction that has written (the head's UPDATE is a write).
 */
export async function mysqlHeldBackCause(
  run: SqlRunner,
  t: EventTables,
  seen: FirstSeen,
): Promise<HeldBackCause | undefined> {
  let locked = false;
  await run('START TRANSACTION', []);
  try {
    await run(`SELECT position FROM ${t.head} WHERE id = 1 FOR UPDATE NOWAIT`, []);
  } catch (error) {
    if (!LOCK_BUSY.has(Number(driverError(error).errno))) throw error;
    locked = true;
  } finally {
    await run('ROLLBACK', []);
  }
  if (!locked) {
    seen.clear();
    return undefined;
  }
  const holder = await oldestWriter(run, t);
  if (!holder) {
    const ageMs = seen.ageOf('append-lock');
    return {
      key: 'append-lock',
      ageMs,
      details: { transactionAgeMs: ageMs },
      description:
        `a transaction holding the append lock (the row of ${t.head}) for at least ${ageMs} ms; ` +
        `grant the PROCESS privilege to name it (information_schema.innodb_trx)`,
    };
  }
  return holderCause(holder);
}

/**
 * InnoDB does not list who holds a lock nobody waits for; the oldest writing transaction of a
 * session using the store's database is the likely holder (the lock is known to be held).
 */
async function oldestWriter(
  run: SqlRunner,
  t: EventTables,
): Promise<Record<string, unknown> | undefined> {
  const schema = /^`([^`]+)`\./.exec(t.head)?.[1];
  try {
    const { records } = await run(
      `SELECT t.trx_id, t.trx_mysql_thread_id AS thread, t.trx_state,
  DATE_FORMAT(t.trx_started, '%Y-%m-%d %H:%i:%s') AS trx_started,
  TIMESTAMPDIFF(MICROSECOND, t.trx_started, NOW(6)) / 1000 AS age_ms,
  p.USER AS user, p.HOST AS host, p.DB AS db, p.COMMAND AS command, LEFT(p.INFO, 200) AS info
FROM information_schema.innodb_trx t
LEFT JOIN information_schema.processlist p ON p.ID = t.trx_mysql_thread_id
WHERE t.trx_rows_modified > 0 AND t.trx_mysql_thread_id <> CONNECTION_ID()
ORDER BY p.DB <=> COALESCE(?, DATABASE()) DESC, t.trx_started, t.trx_id LIMIT 1`,
      [schema ?? null],
    );
    return records[0];
  } catch {
    return undefined; // no PROCESS privilege: the lock is known to be held, not by whom
  }
}

/** The transaction named as the holder of the append lock, for logs, health and status. */
function holderCause(holder: Record<string, unknown>): HeldBackCause {
  const ageMs = Math.max(0, Math.round(Number(holder.age_ms)));
  const details = {
    trxId: String(holder.trx_id),
    thread: Number(holder.thread),
    user: str(holder.user),
    host: str(holder.host),
    database: str(holder.db),
    command: str(holder.command),
    state: str(holder.trx_state),
    transactionAgeMs: ageMs,
    transactionStart: str(holder.trx_started),
    query: str(holder.info),
  };
  return {
    key: details.trxId,
    ageMs,
    details,
    description:
      `thread ${details.thread} (transaction ${details.trxId}, user ${details.user ?? '?'}@` +
      `${details.host ?? '?'}, database "${details.database ?? ''}", command ${details.command ?? '?'}, ` +
      `transaction open ${ageMs} ms since ${details.transactionStart ?? '?'}, ` +
      `query ${details.query === undefined ? 'none' : JSON.stringify(details.query)}), which holds ` +
      `the append lock; commit or roll it back (KILL ${details.thread} ends it)`,
  };
}

function str(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
