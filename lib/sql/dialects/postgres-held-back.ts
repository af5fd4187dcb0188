import type { SqlRunner } from './sql-dialect.js';
import { HORIZON_HOLDER_SQL } from './postgres-horizon.js';
import type { FirstSeen, HeldBackCause } from '../../core/held-back-cause.js';

/** The transaction holding this database's read horizon, with its session, or undefined. */
export async function postgresHeldBackCause(
  run: SqlRunner,
  seen: FirstSeen,
): Promise<HeldBackCause | undefined> {
  const [row] = (await run(HORIZON_HOLDER_SQL, [])).records;
  if (!row) {
    seen.clear();
    return undefined;
  }
  const xid = String(row.xid);
  const known = row.age_ms !== null && row.age_ms !== undefined;
  const ageMs = known ? Math.max(0, Math.round(Number(row.age_ms))) : seen.ageOf(xid);
  const details = {
    xid,
    pid: row.pid === null ? undefined : Number(row.pid),
    database: (row.database as string | null) ?? undefined,
    applicationName: (row.application_name as string | null) ?? undefined,
    user: (row.usename as string | null) ?? undefined,
    state: (row.state as string | null) ?? undefined,
    preparedGid: (row.gid as string | null) ?? undefined,
    transactionAgeMs: ageMs,
    xactStart: isoOf(row.xact_start),
    queryStart: isoOf(row.query_start),
  };
  return { key: xid, ageMs, details, description: describe(details) };
}

function describe(d: {
  xid: string;
  pid?: number;
  database?: string;
  applicationName?: string;
  state?: string;
  preparedGid?: string;
  transactionAgeMs: number;
  queryStart?: string;
}): string {
  if (d.preparedGid !== undefined) {
    return (
      `prepared transaction '${d.preparedGid}' (xid ${d.xid}, database "${d.database}", ` +
      `prepared ${d.transactionAgeMs} ms ago); COMMIT PREPARED or ROLLBACK PREPARED it`
    );
  }
  if (d.pid === undefined) {
    return (
      `transaction ${d.xid}, whose session this role cannot see (grant it pg_read_all_stats to ` +
      `name the session); seen for ${d.transactionAgeMs} ms`
    );
  }
  return (
    `pid ${d.pid} (database "${d.database}", application_name "${d.applicationName ?? ''}", ` +
    `state ${d.state ?? 'unknown'}, transaction open ${d.transactionAgeMs} ms, query started ` +
    `${d.queryStart ?? 'unknown'}); end that transaction, or set idle_in_transaction_session_timeout`
  );
}

function isoOf(epochMs: unknown): string | undefined {
  return epochMs === null || epochMs === undefined
    ? undefined
    : new Date(Number(epochMs)).toISOString();
}
