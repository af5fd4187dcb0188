import type { SampleBroker } from './forwarding/broker-options.js';

/** Where the sample app keeps its events and read models. */
export interface SampleDatabase {
  type: 'better-sqlite3' | 'postgres' | 'mariadb';
  url?: string;
  /** SQLite file. */
  database?: string;
  /** PostgreSQL schema for every table (tests use one per run). */
  schema?: string;
  /** Run projection and saga workers in this process. @default true */
  workers?: boolean;
  /** Forward the bank's events to this broker (see forwarding/). */
  broker?: SampleBroker;
}

/**
 * An embedded SQLite file by default; DATABASE_URL=postgres://... or mysql://... switches to a
 * server. DATABASE_SCHEMA puts every table in that PostgreSQL schema (MySQL: name the database in
 * the URL).
 */
export function databaseFromEnv(env: NodeJS.ProcessEnv = process.env): SampleDatabase {
  const url = env.DATABASE_URL;
  if (env.DATABASE_SCHEMA && !/^postgres(ql)?:\/\//.test(url ?? '')) {
    throw new Error(
      'DATABASE_SCHEMA applies to PostgreSQL only: set DATABASE_URL=postgres://... too, or name ' +
        'the MySQL database in the URL instead',
    );
  }
  if (!url)
    return { type: 'better-sqlite3', database: env.SQLITE_FILE ?? 'data/sample-app.sqlite' };
  if (url.startsWith('postgres://') || url.startsWith('postgresql://'))
    return { type: 'postgres', url, schema: env.DATABASE_SCHEMA || undefined };
  if (url.startsWith('mysql://') || url.startsWith('mariadb://')) {
    return { type: 'mariadb', url: url.replace(/^mariadb:/, 'mysql:') };
  }
  throw new Error(`DATABASE_URL must start with postgres:// or mysql://, got "${url}"`);
}
