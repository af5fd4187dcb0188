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
import { ignoreIdleError, stockTypes, vacuumAnalyze } from './pg-common.js';
import { runScenarios, scenarioSpecs, type Target } from './scenarios.js';

const COLUMNS =
  'global_position, tx_id, stream_id, version, event_id, type, data, metadata, created_at';

/** One INSERT of all the events (a multi-row VALUES list), versions from `firstVersion` on. */
function rawInsert(table: string, streamId: string, events: BenchEvent[], firstVersion: number) {
  const params: unknown[] = [];
  const rows = events.map((e, i) => {
    const at = params.length;
    params.push(streamId, 'order', firstVersion + i, uuidv7(), e.type);
    params.push(JSON.stringify(e.data), JSON.stringify(e.metadata));
    return `(${Array.from({ length: 7 }, (_, k) => `$${at + k + 1}`).join(', ')})`;
  });
  const text = `INSERT INTO ${table} (stream_id, category, version, event_id, type, data, metadata) VALUES ${rows.join(', ')}`;
  return { text, params };
}

function rawTargets(pool: pg.Pool, schema: string): Target[] {
  const table = (prefix: string) => `"${schema}"."${prefix}events"`;
  const autocommit: Target = {
    name: 'raw',
    append: (streamId, events, firstVersion) => {
      const { text, params } = rawInsert(table('raw_'), streamId, events, firstVersion);
      return pool.query(text, params);
    },
    readStream: async (streamId) => {
      const sql = `SELECT ${COLUMNS} FROM ${table('raw_')} WHERE stream_id = $1 ORDER BY version`;
      return (await pool.query(sql, [streamId])).rows.length;
    },
    readLog: async (limit, pageSize) => {
      const sql = `SELECT ${COLUMNS} FROM ${table('raw_')} WHERE global_position > $1 ORDER BY global_position LIMIT $2`;
      let after = '0';
      let read = 0;
      while (read < limit) {
        const rows = (await pool.query<{ global_position: string }>(sql, [after, pageSize])).rows;
        read += rows.length;
        if (rows.length < pageSize) break;
        after = rows[rows.length - 1].global_position;
      }
      return read;
    },
  };
  const transactional: Target = {
    name: 'raw-tx',
    append: async (streamId, events, firstVersion) => {
      const { text, params } = rawInsert(table('rawtx_'), streamId, events, firstVersion);
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(text, params);
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
    readLog: async (limit, pageSize) => {
      let after: string | undefined;
      let read = 0;
      while (read < limit) {
        const page = await store.readAll({ after, maxCount: pageSize });
        read += page.events.length;
        after = page.checkpoint;
        if (page.isEnd) break;
      }
      return read;
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
    readLog: async (limit, pageSize) => {
      let after = 0n;
      let read = 0;
      while (read < limit) {
        const page = await readMessagesBatch(pool.execute, { after, batchSize: pageSize });
        read += page.messages.length;
        after = page.currentGlobalPosition;
        if (!page.areMessagesLeft) break;
      }
      return read;
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
      scenarioSpecs(true),
    );
    const targets = [
      ...rawTargets(rawPool, schema),
      libTarget(store),
      emmettTarget(emmett, emmettDumbo),
    ];
    const beforeReads = async () => {
      await vacuumAnalyze(admin, schema);
      await vacuumAnalyze(emmettPool, 'public');
    };
    await runScenarios(report, targets, { beforeReads });
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
