import pg from 'pg';
import { DataSource } from 'typeorm';
import { benchName, cleanupOnInterrupt, POOL_SIZE, POSTGRES_URL } from './harness.js';

/**
 * Emmett (through its dumbo layer) replaces pg's global parsers for int8 and json(b) the first
 * time it opens a pool. The raw and library pools get the driver's stock parsers, captured here
 * (this module is loaded before any benchmark runs) so each implementation is measured as it would
 * run on its own, whichever family ran before.
 */
const STOCK_PARSERS = new Map<number, unknown>(
  [20, 114, 3802].map((oid) => [oid, pg.types.getTypeParser(oid, 'text')]),
);
export const stockTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    (format ?? 'text') === 'text' && STOCK_PARSERS.has(oid)
      ? STOCK_PARSERS.get(oid)
      : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser,
};

/**
 * An idle pooled connection that dies (the server restarts, or an interrupted run drops the
 * database under it) must not crash the process; the next query reports the problem.
 */
export function ignoreIdleError(): void {}

const statementNames = new Map<string, string>();

/**
 * A named prepared statement (node-postgres prepares it once per connection, then only binds):
 * what the raw baselines use, as the library does on its hot paths.
 */
export function named(text: string, values: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `bench_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}

/** VACUUM (ANALYZE) every table of a schema: statistics and visibility as on a live table. */
export async function vacuumAnalyze(db: pg.Client | pg.Pool, schema: string): Promise<void> {
  const tables = await db.query<{ name: string }>(
    'SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 ORDER BY tablename',
    [schema],
  );
  for (const { name } of tables.rows) await db.query(`VACUUM (ANALYZE) "${schema}"."${name}"`);
}

/** A fresh schema with a TypeORM DataSource (for the library) and a raw pg pool on it. */
export interface PgRun {
  schema: string;
  /** `PostgreSQL 15.x` */
  title: string;
  dataSource: DataSource;
  pool: pg.Pool;
  /** Closes something (an application context) before the pools are closed and the schema dropped. */
  onClose(close: () => Promise<unknown>): void;
  /** Closes everything opened for the run, in reverse order, and drops the schema. */
  close(): Promise<void>;
}

/**
 * Creates `bench_<random>`, dropped by `close()` or when the process is interrupted (Ctrl-C), and
 * opens a library DataSource and a raw pool of POOL_SIZE connections each, with stock type parsers.
 */
export async function openPgRun(): Promise<PgRun> {
  const schema = benchName();
  const admin = new pg.Client({ connectionString: POSTGRES_URL, types: stockTypes });
  admin.on('error', ignoreIdleError);
  await admin.connect();
  const drop = `DROP SCHEMA IF EXISTS "${schema}" CASCADE`;
  const release = cleanupOnInterrupt(async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    // This run's own sessions (named after its schema) may be mid-transaction on its tables; they
    // would block the DROP (or deadlock with it), so they go first.
    await client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
      [schema],
    );
    await client.query(drop);
    await client.end();
  });
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    release();
    for (const c of closers.reverse()) {
      await c().catch((error: unknown) => console.error('closing failed:', error));
    }
    closers.length = 0;
    await admin.query(drop);
    await admin.end();
  };
  try {
    const version = (
      await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")
    ).rows[0].v;
    await admin.query(`CREATE SCHEMA "${schema}"`);
    const dataSource = new DataSource({
      type: 'postgres',
      url: POSTGRES_URL,
      poolSize: POOL_SIZE,
      applicationName: schema,
      extra: { types: stockTypes },
    });
    await dataSource.initialize();
    closers.push(() => dataSource.destroy());
    const pool = new pg.Pool({
      connectionString: POSTGRES_URL,
      max: POOL_SIZE,
      types: stockTypes,
      application_name: schema,
    });
    pool.on('error', ignoreIdleError);
    closers.push(() => pool.end());
    return {
      schema,
      title: `PostgreSQL ${version}`,
      dataSource,
      pool,
      onClose: (c) => closers.push(c),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Percentile (0-100) of sorted numbers, nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** The median of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
}
