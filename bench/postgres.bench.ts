import { dumbo } from '@event-driven-io/dumbo';
import { getPostgreSQLEventStore, readMessagesBatch } from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { TypeOrmEventStore } from '../lib/index.js';
import {
  benchName,
  cleanupOnInterrupt,
  POOL_SIZE,
  POSTGRES_URL,
  Report,
  type BenchEvent,
} from './harness.js';
import { ignoreIdleError, named, stockTypes } from './pg-common.js';
import { pageThrough, runScenarios, scenarioSpecs, type Target } from './scenarios.js';

/**
 * What every raw reader selects and decodes: the library's own column forms (JSON as text, time as
 * epoch milliseconds, both cheaper to decode than node-postgres's jsonb and timestamptz parsers),
 * so raw and library do the same decoding work and the difference is the library's overhead.
 */
const COLUMNS =
  'global_position, tx_id, stream_id, version, event_id, type, data::text AS data, ' +
  'metadata::text AS metadata, (EXTRACT(EPOCH FROM created_at) * 1000)::float8 AS created_at';

interface RawRow {
  global_position: string;
  tx_id: string;
  data: unknown;
  metadata: unknown;
  created_at: unknown;
}

/** Decodes the JSON and the time of each row, as the library does; returns the row count. */
function decodeRows(rows: RawRow[]): number {
  for (const row of rows) {
    row.data = JSON.parse(row.data as string);
    row.metadata = JSON.parse(row.metadata as string);
    row.created_at = new Date(row.created_at as number);
  }
  return rows.length;
}

/**
 * The raw append as a named prepared statement (planned once per connection, as the library's
 * append is): one event as a VALUES row, several as one `unnest` of arrays (the same statement
 * whatever their number). The events are serialised here like the library does (JSON text).
 */
function rawInsert(table: string, streamId: string, events: BenchEvent[], firstVersion: number) {
  const columns = '(stream_id, category, version, event_id, type, data, metadata)';
  if (events.length === 1) {
    const [e] = events;
    return named(`INSERT INTO ${table} ${columns} VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      streamId,
      'order',
      firstVersion,
      uuidv7(),
      e.type,
      JSON.stringify(e.data),
      JSON.stringify(e.metadata),
    ]);
  }
  return named(
    `INSERT INTO ${table} ${columns}
SELECT $1, $2, $3 + e.ord - 1, e.id, e.type, e.data, e.meta
FROM unnest($4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[]) WITH ORDINALITY AS e(id, type, data, meta, ord)`,
    [
      streamId,
      'order',
      firstVersion,
      events.map(() => uuidv7()),
      events.map((e) => e.type),
      events.map((e) => JSON.stringify(e.data)),
      events.map((e) => JSON.stringify(e.metadata)),
    ],
  );
}

/**
 * A gap-safe reader of the global log, as one would write it by hand: pages in (tx_id, position)
 * order below the oldest running transaction (a scalar subquery, so the bound is an index
 * condition), through `pageThrough` (a short page is not the end).
 */
export function rawGapSafeRead(
  pool: pg.Pool,
  table: string,
  limit: number,
  pageSize: number,
  from: { tx: string; position: string } = { tx: '0', position: '0' },
): Promise<number> {
  const text = `SELECT ${COLUMNS} FROM ${table}
WHERE (tx_id, global_position) > ($1::text::xid8, $2::bigint)
  AND tx_id < (SELECT pg_snapshot_xmin(pg_current_snapshot()))
ORDER BY tx_id, global_position LIMIT $3`;
  let { tx, position } = from;
  return pageThrough(limit, pageSize, async (max) => {
    const { rows } = await pool.query<RawRow>(named(text, [tx, position, max]));
    decodeRows(rows);
    if (rows.length > 0) {
      tx = rows[rows.length - 1].tx_id;
      position = rows[rows.length - 1].global_position;
    }
    return rows.length;
  });
}

function rawTargets(pool: pg.Pool, schema: string): Target[] {
  const table = (prefix: string) => `"${schema}"."${prefix}events"`;
  const autocommit: Target = {
    name: 'raw',
    append: (streamId, events, firstVersion) =>
      pool.query(rawInsert(table('raw_'), streamId, events, firstVersion)),
    readStream: async (streamId) => {
      const text = `SELECT ${COLUMNS} FROM ${table('raw_')} WHERE stream_id = $1 ORDER BY version`;
      return decodeRows((await pool.query<RawRow>(named(text, [streamId]))).rows);
    },
    readLog: (limit, pageSize) => rawGapSafeRead(pool, table('raw_'), limit, pageSize),
  };
  const transactional: Target = {
    name: 'raw-tx',
    append: async (streamId, events, firstVersion) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(rawInsert(table('rawtx_'), streamId, events, firstVersion));
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
  };
  return [autocommit, transactional];
}

function libTarget(store: TypeOrmEventStore): Target {
  return {
    name: 'lib',
    append: (streamId, events) => store.appendToStream(streamId, events),
    readStream: async (streamId) => (await store.readStream(streamId)).length,
    readLog: (limit, pageSize) => {
      let after: string | undefined;
      return pageThrough(limit, pageSize, async (max) => {
        const page = await store.readAll({ after, maxCount: max });
        after = page.checkpoint;
        return page.events.length;
      });
    },
  };
}

function emmettTarget(
  store: ReturnType<typeof getPostgreSQLEventStore>,
  pool: ReturnType<typeof dumbo>,
): Target {
  return {
    name: 'emmett',
    append: (streamId, events) => store.appendToStream(streamId, events),
    readStream: async (streamId) => (await store.readStream(streamId)).events.length,
    // Emmett's store has no global-log read; its consumers page with readMessagesBatch.
    readLog: (limit, pageSize) => {
      let after = 0n;
      return pageThrough(limit, pageSize, async (max) => {
        const page = await readMessagesBatch(pool.execute, { after, batchSize: max });
        after = page.currentGlobalPosition;
        return page.messages.length;
      });
    },
  };
}

/**
 * Runs every scenario on a fresh PostgreSQL schema (raw and library) and a fresh database (Emmett),
 * both dropped at the end.
 */
export async function runPostgres(): Promise<Report> {
  const schema = benchName();
  const emmettDatabase = schema;
  const dropSql = [
    `DROP SCHEMA IF EXISTS "${schema}" CASCADE`,
    `DROP DATABASE IF EXISTS "${emmettDatabase}" WITH (FORCE)`,
  ];
  const admin = new pg.Client({ connectionString: POSTGRES_URL, types: stockTypes });
  admin.on('error', ignoreIdleError);
  await admin.connect();
  const release = cleanupOnInterrupt(async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    for (const sql of dropSql) await client.query(sql);
    await client.end();
  });
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const version = (
      await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")
    ).rows[0].v;
    await admin.query(`CREATE SCHEMA "${schema}"`);

    const dataSource = new DataSource({
      type: 'postgres',
      url: POSTGRES_URL,
      poolSize: POOL_SIZE,
      extra: { types: stockTypes },
    });
    await dataSource.initialize();
    closers.push(() => dataSource.destroy());
    const store = new TypeOrmEventStore(dataSource, { schema });
    await store.migrate();

    const rawPool = new pg.Pool({
      connectionString: POSTGRES_URL,
      max: POOL_SIZE,
      types: stockTypes,
    });
    rawPool.on('error', ignoreIdleError);
    closers.push(() => rawPool.end());
    // The raw tables get exactly the library's DDL for its events table, under other names.
    for (const tablePrefix of ['raw_', 'rawtx_']) {
      const ddl = new TypeOrmEventStore(dataSource, { schema, tablePrefix }).schemaSql();
      for (const statement of ddl.filter((s) => s.includes(`"${tablePrefix}events"`))) {
        await rawPool.query(statement);
      }
    }

    // Emmett has no schema option, and its migration skips creating a function when one of that
    // name exists in any schema of the database; so it gets a database of its own on the server.
    await admin.query(`CREATE DATABASE "${emmettDatabase}"`);
    const emmettUrl = new URL(POSTGRES_URL);
    emmettUrl.pathname = `/${emmettDatabase}`;
    const emmettPool = new pg.Pool({ connectionString: emmettUrl.toString(), max: POOL_SIZE });
    emmettPool.on('error', ignoreIdleError);
    closers.push(() => emmettPool.end());
    const emmettDumbo = dumbo({ connectionString: emmettUrl.toString(), pool: emmettPool });
    const emmett = getPostgreSQLEventStore(emmettUrl.toString(), {
      connectionOptions: { dumbo: emmettDumbo },
    });
    closers.push(() => emmett.close());
    await emmett.schema.migrate();

    const report = new Report(
      'postgres',
      `PostgreSQL ${version}`,
      ['raw', 'raw-tx', 'lib', 'emmett'],
      scenarioSpecs('postgres'),
    );
    const targets = [
      ...rawTargets(rawPool, schema),
      libTarget(store),
      emmettTarget(emmett, emmettDumbo),
    ];
    // No VACUUM ANALYZE before the reads: the log is read as it stands right after being written,
    // as a live application reads the tail it has just appended.
    await runScenarios(report, targets);
    return report;
  } finally {
    release();
    for (const close of closers.reverse()) {
      await close().catch((error: unknown) => console.error('closing failed:', error));
    }
    for (const sql of dropSql) await admin.query(sql);
    await admin.end();
  }
}
