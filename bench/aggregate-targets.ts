// The databases the aggregate benchmark runs on, and its raw loaders: what a correct hand-written
// loader reads (version, type, data, metadata), one round trip, folded in a plain loop.
import mysql from 'mysql2/promise';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { benchName, cleanupOnInterrupt, MARIADB_URL, POOL_SIZE } from './harness.js';
import { named, openPgRun } from './pg-common.js';

/** What a load rebuilds: the account state. */
export interface AccountState {
  balance: number;
  deposits: number;
}

interface Row {
  version: number;
  type: string;
  data: { amount: number };
  metadata: { eventVersion?: number };
}

/** The fold every raw loader runs: type and schema version checked, as a real loader must. */
export function fold(state: AccountState, rows: readonly Row[], from = 0): AccountState {
  let expected = from + 1;
  for (const row of rows) {
    if (row.version !== expected++) throw new Error(`gap before version ${row.version}`);
    if (row.type !== 'bench.deposited' || (row.metadata.eventVersion ?? 1) !== 1) {
      throw new Error(`unexpected event ${row.type}`);
    }
    state.balance += row.data.amount;
    state.deposits++;
  }
  return state;
}

/** A database with a DataSource for the library and raw loaders on its bare driver. */
export interface AggregateDb {
  name: 'postgres' | 'mariadb';
  title: string;
  dataSource: DataSource;
  /** PostgreSQL schema (MariaDB: undefined, the DataSource's own database). */
  schema: string | undefined;
  /** Reads the whole stream. */
  rawLoad(streamId: string): Promise<AccountState>;
  /** Reads the snapshot and the events after it in one statement. */
  rawSnapLoad(streamId: string): Promise<AccountState>;
  /** PostgreSQL only: the pool the save baseline writes through. */
  pgPool?: pg.Pool;
  onClose(close: () => Promise<unknown>): void;
  close(): Promise<void>;
}

const EVENTS_AFTER = (events: string, snapshots: string, p: (n: number) => string) =>
  `SELECT 's' AS kind, version, state AS data, NULL AS type, NULL AS metadata FROM ${snapshots} WHERE stream_id = ${p(1)}
UNION ALL SELECT 'e', version, data, type, metadata FROM ${events}
WHERE stream_id = ${p(1)} AND version > COALESCE((SELECT version FROM ${snapshots} WHERE stream_id = ${p(1)}), 0)
ORDER BY kind DESC, version`;

function foldWithSnapshot(rows: (Row & { kind: string })[]): AccountState {
  const [snapshot, ...events] = rows;
  if (snapshot?.kind !== 's') throw new Error('no snapshot');
  const state = snapshot.data as unknown as AccountState;
  return fold({ balance: state.balance, deposits: state.deposits }, events, snapshot.version);
}

export async function openPostgres(): Promise<AggregateDb> {
  const run = await openPgRun();
  const { pool, schema } = run;
  const events = `"${schema}"."es_events"`;
  const snapshots = `"${schema}"."es_snapshots"`;
  const plain = `SELECT version, type, data, metadata FROM ${events} WHERE stream_id = $1 ORDER BY version`;
  const withSnapshot = EVENTS_AFTER(events, snapshots, (n) => `$${n}`);
  return {
    name: 'postgres',
    title: run.title,
    dataSource: run.dataSource,
    schema,
    pgPool: pool,
    rawLoad: async (streamId) => {
      const { rows } = await pool.query<Row>(named(plain, [streamId]));
      return fold({ balance: 0, deposits: 0 }, rows);
    },
    rawSnapLoad: async (streamId) => {
      const { rows } = await pool.query<Row & { kind: string }>(named(withSnapshot, [streamId]));
      return foldWithSnapshot(rows);
    },
    onClose: (c) => run.onClose(c),
    close: () => run.close(),
  };
}

/** mysql2 hands MariaDB's JSON columns (LONGTEXT) over as text: parsed here, as any loader must. */
function parseJson<T extends { data: unknown; metadata: unknown }>(rows: T[]): T[] {
  for (const row of rows) {
    if (typeof row.data === 'string') row.data = JSON.parse(row.data);
    if (typeof row.metadata === 'string') row.metadata = JSON.parse(row.metadata);
  }
  return rows;
}

export async function openMariadb(): Promise<AggregateDb> {
  const database = benchName();
  const drop = `DROP DATABASE IF EXISTS \`${database}\``;
  const admin = await mysql.createConnection(MARIADB_URL);
  const release = cleanupOnInterrupt(async () => {
    const conn = await mysql.createConnection(MARIADB_URL);
    await conn.query(drop);
    await conn.end();
  });
  const closers: (() => Promise<unknown>)[] = [];
  const [versionRows] = await admin.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v');
  await admin.query(`CREATE DATABASE \`${database}\``);
  const url = new URL(MARIADB_URL);
  url.pathname = `/${database}`;
  const dataSource = new DataSource({ type: 'mariadb', url: url.toString(), poolSize: POOL_SIZE });
  await dataSource.initialize();
  closers.push(() => dataSource.destroy());
  const pool = mysql.createPool({ uri: url.toString(), connectionLimit: POOL_SIZE });
  closers.push(() => pool.end());
  const plain =
    'SELECT version, type, data, metadata FROM es_events WHERE stream_id = ? ORDER BY version';
  const withSnapshot = EVENTS_AFTER('es_events', 'es_snapshots', () => '?');
  return {
    name: 'mariadb',
    title: `MariaDB ${String(versionRows[0].v)}`,
    dataSource,
    schema: undefined,
    rawLoad: async (streamId) => {
      const [rows] = await pool.query<mysql.RowDataPacket[]>(plain, [streamId]);
      return fold({ balance: 0, deposits: 0 }, parseJson(rows as unknown as Row[]));
    },
    rawSnapLoad: async (streamId) => {
      const [rows] = await pool.query<mysql.RowDataPacket[]>(withSnapshot, [
        streamId,
        streamId,
        streamId,
      ]);
      return foldWithSnapshot(parseJson(rows as unknown as (Row & { kind: string })[]));
    },
    onClose: (c) => closers.push(c),
    close: async () => {
      release();
      for (const c of closers.reverse()) {
        await c().catch((error: unknown) => console.error('closing failed:', error));
      }
      await admin.query(drop);
      await admin.end();
    },
  };
}
