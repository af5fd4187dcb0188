import mysql from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { TypeOrmEventStore } from '../lib/index.js';
import {
  benchName,
  cleanupOnInterrupt,
  MARIADB_URL,
  POOL_SIZE,
  Report,
  type BenchEvent,
} from './harness.js';
import { pageThrough, runScenarios, scenarioSpecs, type Target } from './scenarios.js';

const COLUMNS = 'global_position, stream_id, version, event_id, type, data, metadata, created_at';

/**
 * mysql2 decodes JSON columns itself when the server marks them as JSON (MariaDB 10.11 does); any
 * that come back as text are decoded here, so raw rows always carry what the library's do.
 */
function decodeJson(rows: Record<string, unknown>[]): number {
  for (const row of rows) {
    if (typeof row.data === 'string') row.data = JSON.parse(row.data);
    if (typeof row.metadata === 'string') row.metadata = JSON.parse(row.metadata);
  }
  return rows.length;
}

/** One INSERT of all the events (a multi-row VALUES list), versions from `firstVersion` on. */
function rawInsert(table: string, streamId: string, events: BenchEvent[], firstVersion: number) {
  const params: unknown[] = [];
  for (const [i, e] of events.entries()) {
    params.push(streamId, 'order', firstVersion + i, uuidv7(), e.type);
    params.push(JSON.stringify(e.data), JSON.stringify(e.metadata));
  }
  const rows = events.map(() => '(?, ?, ?, ?, ?, ?, ?, NOW(6))').join(', ');
  const sql = `INSERT INTO ${table} (stream_id, category, version, event_id, type, data, metadata, created_at) VALUES ${rows}`;
  return { sql, params };
}

/**
 * The library's MySQL DDL under another name, with AUTO_INCREMENT positions instead of the
 * library's head table: the usual way to write events without an event store.
 */
function rawDdl(dataSource: DataSource, tablePrefix: string): string {
  const ddl = new TypeOrmEventStore(dataSource, { tablePrefix }).schemaSql();
  const events = ddl.find((s) => s.includes(`\`${tablePrefix}events\``));
  const identity = 'global_position BIGINT NOT NULL PRIMARY KEY';
  if (!events?.includes(identity)) {
    throw new Error('the library DDL changed: update bench/mariadb.bench.ts rawDdl');
  }
  return events.replace(identity, 'global_position BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY');
}

/**
 * The library's lossless scheme by hand, at its best: one multi-statement batch (one round trip)
 * locks the head row, takes the positions, inserts and commits, on the library's own DDL.
 * Versions are known to the caller, so unlike the library it checks no expected version.
 */
function rawLosslessTarget(batchPool: mysql.Pool): Target {
  return {
    name: 'raw-lossless',
    append: async (streamId, events, firstVersion) => {
      const n = events.length;
      const params: unknown[] = [];
      const rows = events.map((e, i) => {
        params.push(streamId, 'order', firstVersion + i, uuidv7(), e.type);
        params.push(JSON.stringify(e.data), JSON.stringify(e.metadata));
        return `(LAST_INSERT_ID() - ${n - 1 - i}, ?, ?, ?, ?, ?, ?, ?, NOW(6))`;
      });
      const sql =
        `START TRANSACTION; UPDATE rawl_head SET position = LAST_INSERT_ID(position + ${n}) WHERE id = 1; ` +
        `INSERT INTO rawl_events (global_position, stream_id, category, version, event_id, type, data, metadata, created_at) ` +
        `VALUES ${rows.join(', ')}; COMMIT`;
      const conn = await batchPool.getConnection();
      try {
        await conn.query(sql, params);
      } catch (error) {
        await conn.query('ROLLBACK');
        throw error;
      } finally {
        conn.release();
      }
    },
  };
}

function rawTargets(pool: mysql.Pool): Target[] {
  const autocommit: Target = {
    name: 'raw',
    append: (streamId, events, firstVersion) => {
      const { sql, params } = rawInsert('raw_events', streamId, events, firstVersion);
      return pool.query(sql, params);
    },
    readStream: async (streamId) => {
      const sql = `SELECT ${COLUMNS} FROM raw_events WHERE stream_id = ? ORDER BY version`;
      const [rows] = await pool.query<mysql.RowDataPacket[]>(sql, [streamId]);
      return decodeJson(rows);
    },
    readLog: (limit, pageSize) => {
      const sql = `SELECT ${COLUMNS} FROM raw_events WHERE global_position > ? ORDER BY global_position LIMIT ?`;
      let after = 0;
      return pageThrough(limit, pageSize, async (max) => {
        const [rows] = await pool.query<mysql.RowDataPacket[]>(sql, [after, max]);
        if (rows.length > 0) after = Number(rows[rows.length - 1].global_position);
        return decodeJson(rows);
      });
    },
  };
  const transactional: Target = {
    name: 'raw-tx',
    append: async (streamId, events, firstVersion) => {
      const { sql, params } = rawInsert('rawtx_events', streamId, events, firstVersion);
      const conn = await pool.getConnection();
      try {
        await conn.beginTransaction();
        await conn.query(sql, params);
        await conn.commit();
      } catch (error) {
        await conn.rollback();
        throw error;
      } finally {
        conn.release();
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

/** Runs every scenario on a fresh MariaDB database, dropped at the end. */
export async function runMariadb(): Promise<Report> {
  const database = benchName();
  const dropSql = `DROP DATABASE IF EXISTS \`${database}\``;
  const admin = await mysql.createConnection(MARIADB_URL);
  const release = cleanupOnInterrupt(async () => {
    const conn = await mysql.createConnection(MARIADB_URL);
    await conn.query(dropSql);
    await conn.end();
  });
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const [versionRows] = await admin.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v');
    await admin.query(`CREATE DATABASE \`${database}\``);
    const url = new URL(MARIADB_URL);
    url.pathname = `/${database}`;

    const dataSource = new DataSource({
      type: 'mariadb',
      url: url.toString(),
      poolSize: POOL_SIZE,
    });
    await dataSource.initialize();
    closers.push(() => dataSource.destroy());
    const store = new TypeOrmEventStore(dataSource);
    await store.migrate();

    const pool = mysql.createPool({ uri: url.toString(), connectionLimit: POOL_SIZE });
    closers.push(() => pool.end());
    for (const prefix of ['raw_', 'rawtx_']) await pool.query(rawDdl(dataSource, prefix));
    const batchPool = mysql.createPool({
      uri: url.toString(),
      connectionLimit: POOL_SIZE,
      multipleStatements: true,
    });
    closers.push(() => batchPool.end());
    const losslessDdl = new TypeOrmEventStore(dataSource, { tablePrefix: 'rawl_' }).schemaSql();
    for (const statement of losslessDdl.filter((s) => /rawl_(events|head)/.test(s))) {
      if (!statement.startsWith('CREATE PROCEDURE')) await pool.query(statement);
    }

    const report = new Report(
      'mariadb',
      `MariaDB ${String(versionRows[0].v)}`,
      ['raw', 'raw-tx', 'raw-lossless', 'lib'],
      scenarioSpecs('mariadb'),
    );
    // No ANALYZE TABLE before the reads: the log is read as it stands right after being written.
    await runScenarios(report, [
      ...rawTargets(pool),
      rawLosslessTarget(batchPool),
      libTarget(store),
    ]);
    return report;
  } finally {
    release();
    for (const close of closers.reverse()) {
      await close().catch((error: unknown) => console.error('closing failed:', error));
    }
    await admin.query(dropSql);
    await admin.end();
  }
}
