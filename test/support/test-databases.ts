import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { DataSource, type DataSourceOptions } from 'typeorm';

export type DatabaseKind = 'postgres' | 'mariadb' | 'sqlite';

export const POSTGRES_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const MARIADB_URL = process.env.MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/test';

/**
 * A database of its own for one test file: a fresh PostgreSQL schema, a fresh MariaDB database,
 * or a fresh SQLite file, so tests cannot see each other's rows.
 */
export interface TestDatabase {
  kind: DatabaseKind;
  /** The PostgreSQL schema that holds this test's tables (undefined elsewhere). */
  schema: string | undefined;
  /** Options to open more connections to the same isolated database. */
  options: DataSourceOptions;
  dataSource: DataSource;
  /** Opens another DataSource on the same isolated database (closed by `drop`). */
  connect(extra?: Partial<DataSourceOptions>): Promise<DataSource>;
  drop(): Promise<void>;
}

export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  const name = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const opened: DataSource[] = [];
  let options: DataSourceOptions;
  let cleanup: () => Promise<void> | void;
  if (kind === 'postgres') {
    const admin = await new DataSource({ type: 'postgres', url: POSTGRES_URL }).initialize();
    await admin.query(`CREATE SCHEMA "${name}"`);
    await admin.destroy();
    // Unqualified names (a test's own read-model tables) land in the test's schema too.
    options = {
      type: 'postgres',
      url: POSTGRES_URL,
      extra: { max: 24, options: `-c search_path=${name}` },
    };
    cleanup = async () => {
      const admin = await new DataSource({ type: 'postgres', url: POSTGRES_URL }).initialize();
      await admin.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      await admin.destroy();
    };
  } else if (kind === 'mariadb') {
    const admin = await mysql.createConnection(MARIADB_URL);
    await admin.query(`CREATE DATABASE \`${name}\``);
    await admin.end();
    const url = new URL(MARIADB_URL);
    url.pathname = `/${name}`;
    options = { type: 'mariadb', url: url.toString(), poolSize: 24 };
    cleanup = async () => {
      const conn = await mysql.createConnection(MARIADB_URL);
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    };
  } else {
    const file = join(tmpdir(), `${name}.sqlite`);
    options = { type: 'better-sqlite3', database: file, enableWAL: true };
    cleanup = () => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    };
  }
  const connect = async (extra: Partial<DataSourceOptions> = {}) => {
    const ds = await new DataSource({
      ...options,
      ...extra,
    } as DataSourceOptions).initialize();
    opened.push(ds);
    return ds;
  };
  const dataSource = await connect();
  return {
    kind,
    schema: kind === 'postgres' ? name : undefined,
    options,
    dataSource,
    connect,
    async drop() {
      for (const ds of opened) if (ds.isInitialized) await ds.destroy();
      await cleanup();
    },
  };
}
