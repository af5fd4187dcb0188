/**
 * The read horizon of this database, as a scalar SQL expression of type xid8: the oldest
 * transaction id of the statement's snapshot that is still in progress and not positively known to
 * belong to another database, or the snapshot's xmax when there is none.
 *
 * Why a reader that only reads rows with `tx_id < horizon` (in the same statement) never skips a
 * committed event:
 * 1. `pg_current_snapshot()` is the statement's own snapshot S, the one the rows are read with (both
 *    calls below return it). So the horizon is taken with, never after, the data snapshot.
 * 2. Take a transaction T of this database with T < horizon. T < xmax(S), and T is not in
 *    xip(S): had it been, it would not have been excluded (it is no other database's), and the
 *    horizon would be <= T. So in S, T has finished: its rows are visible now, or it rolled back.
 *    No row with `tx_id < horizon` can appear after this read.
 * 3. A transaction that starts later gets an id >= xmax(S) >= horizon; it is read once it ends.
 * 4. An id excluded as another database's is one that `pg_stat_activity` shows as the
 *    `backend_xid` of a backend connected to another database (a backend never changes database,
 *    ids are unique, and an id handed out after S is never in xip(S), so a status row read later
 *    cannot pin an id of S on the wrong backend), or a prepared transaction of another database.
 *    A transaction can only write to tables of its own database (dblink and foreign tables run in a
 *    session of the target database), so such an id can never own a row of this table.
 * 5. An id not identified (a session of another role without `pg_read_all_stats`, a background
 *    worker without a database) stays in: the horizon is never later than it may safely be.
 * A scalar subquery (not a CTE joined to the read) lets the planner use the horizon as an index
 * bound: an ordered index scan with LIMIT, even on a table not analysed since rows were appended.
 */
export const DATABASE_HORIZON = `(SELECT COALESCE(MIN(x.id), pg_snapshot_xmax(pg_current_snapshot()))
FROM pg_snapshot_xip(pg_current_snapshot()) AS x(id)
WHERE x.id::xid NOT IN (
  SELECT a.backend_xid FROM pg_stat_activity a
  WHERE a.backend_xid IS NOT NULL
    AND a.datid <> (SELECT oid FROM pg_database WHERE datname = current_database())
  UNION ALL
  SELECT p.transaction FROM pg_prepared_xacts p WHERE p.database <> current_database()))`;

/**
 * The oldest write transaction that holds (or, once a later one commits, will hold) this database's
 * horizon, with what is known about its session; no row when there is none. Candidates: sessions
 * of this database with a transaction id, prepared transactions of this database, and in-progress
 * ids of the snapshot that no visible session or prepared transaction owns (unidentified, as in
 * DATABASE_HORIZON). In-progress ids at or above the snapshot's xmax are not in its xip list, hence
 * the sessions are read directly.
 */
export const HORIZON_HOLDER_SQL = `WITH c AS (
  SELECT a.backend_xid AS xid, a.pid, a.datname::text AS database, a.application_name,
    a.usename::text AS usename, a.state, NULL::text AS gid, a.xact_start AS since,
    a.xact_start, a.query_start
  FROM pg_stat_activity a
  WHERE a.backend_xid IS NOT NULL AND a.pid <> pg_backend_pid()
    AND a.datid = (SELECT oid FROM pg_database WHERE datname = current_database())
  UNION ALL
  SELECT p.transaction, NULL, p.database::text, NULL, p.owner::text, NULL, p.gid, p.prepared,
    NULL, NULL
  FROM pg_prepared_xacts p WHERE p.database = current_database()
  UNION ALL
  SELECT x.id::xid, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM pg_snapshot_xip(pg_current_snapshot()) AS x(id)
  WHERE x.id::xid NOT IN (
    SELECT a.backend_xid FROM pg_stat_activity a WHERE a.backend_xid IS NOT NULL
    UNION ALL SELECT p.transaction FROM pg_prepared_xacts p))
SELECT xid::text AS xid, pid, database, application_name, usename, state, gid,
  (EXTRACT(EPOCH FROM clock_timestamp() - since) * 1000)::float8 AS age_ms,
  (EXTRACT(EPOCH FROM xact_start) * 1000)::float8 AS xact_start,
  (EXTRACT(EPOCH FROM query_start) * 1000)::float8 AS query_start
FROM c ORDER BY age(xid) DESC LIMIT 1`;
