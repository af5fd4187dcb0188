// Probe (diagnosis, not a benchmark): MariaDB and SQLite plans of the library's log page at the tail
// of a log of N events, and table plus index bytes per event. MariaDB database perf_plans and a
// temporary SQLite file, both removed at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { TypeOrmEventStore } from '../../lib/index.js';
import { MARIADB_URL } from '../harness.js';

const N = Number(process.argv[2] ?? 1_000_000);
type Internals = {
  dialect: { readAllSql: (t: unknown, q: unknown) => { sql: string; params: unknown[] } };
  tables: unknown;
};
const pageSql = (store: TypeOrmEventStore, after: number, filtered: boolean) => {
  const s = store as unknown as Internals;
  return s.dialect.readAllSql(s.tables, {
    afterCheckpoint: String(after),
    maxCount: 1000,
    filter: filtered ? { sql: 'type IN (?)', params: ['bench.item-added'] } : undefined,
  });
};
const inline = (sql: string, params: unknown[]) => {
  let i = 0;
  return sql.replace(/\?/g, () => {
    const p = params[i++];
    return typeof p === 'number' ? String(p) : `'${String(p)}'`;
  });
};

// MariaDB
{
  const url = new URL(MARIADB_URL);
  const admin = new DataSource({ type: 'mariadb', url: MARIADB_URL });
  await admin.initialize();
  await admin.query('DROP DATABASE IF EXISTS perf_plans');
  await admin.query('CREATE DATABASE perf_plans');
  url.pathname = '/perf_plans';
  const ds = new DataSource({ type: 'mariadb', url: url.toString() });
  await ds.initialize();
  const store = new TypeOrmEventStore(ds);
  await store.migrate();
  for (let s = 1; s <= N; s += 100_000) {
    await ds.query(`INSERT INTO es_events (global_position, stream_id, category, version, event_id, type, data, metadata, created_at)
SELECT seq, CONCAT('item-', seq DIV 100), 'item', seq MOD 100 + 1,
  CONCAT('00000000-0000-7000-8000-', LPAD(HEX(seq), 12, '0')), 'bench.item-added',
  JSON_OBJECT('orderId', CONCAT('order-', seq DIV 100), 'sku', CONCAT('SKU-', seq MOD 1000), 'quantity', seq MOD 5 + 1, 'price', seq MOD 100 + 0.5),
  '{"eventVersion": 1}', NOW(6)
FROM seq_${s}_to_${Math.min(N, s + 99_999)}`);
  }
  await ds.query('ANALYZE TABLE es_events');
  const [size] = await ds.query<{ t: number; i: number }[]>(
    `SELECT data_length AS t, index_length AS i FROM information_schema.tables WHERE table_schema = 'perf_plans' AND table_name = 'es_events'`,
  );
  console.log(
    `mariadb ${N} rows: table ${Math.round(size.t / N)} + indexes ${Math.round(size.i / N)} bytes per event (InnoDB: the table is the primary key's clustered index)`,
  );
  for (const filtered of [false, true]) {
    const q = pageSql(store, N - 20_000, filtered);
    const explain = await ds.query<unknown[]>(`EXPLAIN ${inline(q.sql, q.params)}`);
    console.log(`mariadb page${filtered ? ' (type filter)' : ''}:`, JSON.stringify(explain));
    const [analyze] = await ds.query<Record<string, unknown>[]>(
      `ANALYZE FORMAT=JSON ${inline(q.sql, q.params)}`,
    );
    console.log(String(Object.values(analyze)[0]).replace(/\s+/g, ' ').slice(0, 1500));
  }
  await ds.destroy();
  await admin.query('DROP DATABASE perf_plans');
  await admin.destroy();
}

// SQLite
{
  const dir = mkdtempSync(join(tmpdir(), 'perf-plans-'));
  const ds = new DataSource({ type: 'better-sqlite3', database: join(dir, 'log.db') });
  await ds.initialize();
  const store = new TypeOrmEventStore(ds);
  await store.migrate();
  await ds.query(`WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ${N})
INSERT INTO es_events (stream_id, category, version, event_id, type, data, metadata, created_at)
SELECT 'item-' || (n / 100), 'item', n % 100 + 1, printf('00000000-0000-7000-8000-%012x', n), 'bench.item-added',
  json_object('orderId', 'order-' || (n / 100), 'sku', 'SKU-' || (n % 1000), 'quantity', n % 5 + 1, 'price', n % 100 + 0.5),
  '{"eventVersion": 1}', strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM g`);
  const sizes = await ds.query<{ name: string; bytes: number }[]>(
    `SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name`,
  );
  const table = sizes.find((s) => s.name === 'es_events')?.bytes ?? 0;
  const indexes = sizes
    .filter((s) => s.name.startsWith('sqlite_autoindex_es_events'))
    .reduce((sum, s) => sum + s.bytes, 0);
  console.log(
    `sqlite ${N} rows: table ${Math.round(table / N)} + indexes ${Math.round(indexes / N)} bytes per event`,
  );
  for (const filtered of [false, true]) {
    const q = pageSql(store, N - 20_000, filtered);
    const plan = await ds.query<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${q.sql}`, q.params);
    console.log(
      `sqlite page${filtered ? ' (type filter)' : ''}:`,
      plan.map((r) => r.detail).join(' | '),
    );
  }
  await ds.destroy();
  rmSync(dir, { recursive: true });
}
