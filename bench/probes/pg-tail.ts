// Probe (diagnosis, not a benchmark): the tail of a large PostgreSQL log in schema perf_tail, built
// once and reused: `build <N>` seeds N events, VACUUM ANALYZE, then a 100k tail never analysed;
// `read [K]` prints EXPLAIN (ANALYZE, BUFFERS) of the library's exact page query (FILTER=1: with a
// type filter) and times lib readAll, the bare SQL and the raw gap-safe loop; `drop` drops it.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { TypeOrmEventStore } from '../../lib/index.js';
import { itemAddedDataSql } from '../bench-domain.js';
import { POSTGRES_URL } from '../harness.js';
import { named } from '../pg-common.js';
import { rawGapSafeRead } from '../postgres.bench.js';
import { pageThrough } from '../scenarios.js';

const SCHEMA = 'perf_tail';
const events = `"${SCHEMA}"."es_events"`;
const ORDERED_UUID = `('00000000-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid`;
const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 4 });
const mode = process.argv[2];
const write = async (from: number, count: number, chunk: number) => {
  for (let s = from; s < from + count; s += chunk) {
    await pool.query(
      `INSERT INTO ${events} (stream_id, category, version, event_id, type, data, metadata)
SELECT 'item-' || (g / 100), 'item', g % 100 + 1, ${ORDERED_UUID}, 'bench.item-added', ${itemAddedDataSql('g')}, '{"eventVersion": 1}'::jsonb
FROM generate_series($1::bigint, $2::bigint) g ORDER BY g`,
      [s, Math.min(from + count, s + chunk) - 1],
    );
  }
};
if (mode === 'drop') {
  await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
} else if (mode === 'build') {
  const n = Number(process.argv[3]);
  await pool.query(`CREATE SCHEMA ${SCHEMA}`);
  const ds = new DataSource({ type: 'postgres', url: POSTGRES_URL });
  await ds.initialize();
  await new TypeOrmEventStore(ds, { schema: SCHEMA }).migrate();
  await ds.destroy();
  await write(0, n, 50_000);
  await pool.query(`VACUUM ANALYZE ${events}`);
  const head = await pool.query<{ tx_id: string; global_position: string }>(
    `SELECT tx_id::text, global_position FROM ${events} ORDER BY tx_id DESC, global_position DESC LIMIT 1`,
  );
  await pool.query(`CREATE TABLE ${SCHEMA}.marks (name text primary key, tx text, pos bigint)`);
  await pool.query(`INSERT INTO ${SCHEMA}.marks VALUES ('tail', $1, $2)`, [
    head.rows[0].tx_id,
    head.rows[0].global_position,
  ]);
  await write(n, 100_000, 1000);
} else {
  const ds = new DataSource({ type: 'postgres', url: POSTGRES_URL, poolSize: 4 });
  await ds.initialize();
  const store = new TypeOrmEventStore(ds, { schema: SCHEMA });
  const mark = (
    await pool.query<{ tx: string; pos: string }>(
      `SELECT tx, pos FROM ${SCHEMA}.marks WHERE name = 'tail'`,
    )
  ).rows[0];
  const from = `${mark.tx}:${mark.pos}`;
  const sql = store as unknown as {
    dialect: {
      readAllSql: (t: unknown, q: unknown) => { sql: string; params: unknown[] };
      bind(s: string): string;
    };
    tables: unknown;
  };
  const q = sql.dialect.readAllSql(sql.tables, {
    afterCheckpoint: from,
    maxCount: 1000,
    filter: process.env.FILTER ? { sql: 'type IN (?)', params: ['bench.item-added'] } : undefined,
  });
  const bound = sql.dialect.bind(q.sql);
  console.log(bound, q.params);
  for (const [name, text, params] of [
    ['lib', bound, q.params],
    [
      'raw',
      `SELECT global_position FROM ${events} WHERE (tx_id, global_position) > ($1::text::xid8, $2::bigint) AND tx_id < (SELECT pg_snapshot_xmin(pg_current_snapshot())) ORDER BY tx_id, global_position LIMIT $3`,
      [mark.tx, mark.pos, 1000],
    ],
  ] as const) {
    const r = await pool.query<{ 'QUERY PLAN': string }>(
      named(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, [...params]),
    );
    console.log(name, '\n' + r.rows.map((x) => x['QUERY PLAN']).join('\n'));
  }
  const k = Number(process.argv[3] ?? 100_000);
  const readers: [string, () => Promise<number>][] = [
    [
      'raw',
      () => rawGapSafeRead(pool, events, k, 1000, { tx: mark.tx, position: String(mark.pos) }),
    ],
    [
      'lib',
      () => {
        let after = from;
        return pageThrough(k, 1000, async (max) => {
          const p = await store.readAll({ after, maxCount: max });
          after = p.checkpoint;
          return p.events.length;
        });
      },
    ],
    [
      'lib sql only',
      () => {
        let tx = mark.tx;
        let pos = String(mark.pos);
        return pageThrough(k, 1000, async (max) => {
          const s = sql.dialect.readAllSql(sql.tables, {
            afterCheckpoint: `${tx}:${pos}`,
            maxCount: max,
          });
          const { rows } = await pool.query<{ tx_id: string; global_position: string }>(
            named(bound, s.params),
          );
          const last = rows.at(-1);
          if (last) {
            tx = last.tx_id;
            pos = last.global_position;
          }
          return rows.length;
        });
      },
    ],
  ];
  const res = new Map<string, number[]>();
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < readers.length; i++) {
      const [name, f] = readers[(i + round) % readers.length];
      const c = process.cpuUsage();
      const t = performance.now();
      const got = await f();
      const ms = performance.now() - t;
      const u = process.cpuUsage(c);
      (res.get(name) ?? res.set(name, []).get(name)!).push((got / ms) * 1000);
      console.log(
        round,
        name,
        got,
        Math.round((got / ms) * 1000),
        'events/s',
        'cpu',
        ((u.user + u.system) / got).toFixed(2),
        'us/event',
      );
    }
  }
  for (const [name, v] of res)
    console.log(name, 'median', Math.round([...v].sort((a, b) => a - b)[2]));
  await ds.destroy();
}
await pool.end();
