// Probe: a projection catching up the 100k tail of perf_tail (built by pg-tail.ts `build`) against
// the raw catch-up loop of the scale benchmark, in interleaved rounds (rotated order), with the
// library's Node CPU per event; prints the median lib/raw ratio and its range. `node
// dist/bench/probes/pg-catch-up.js [rounds]`; LOGQ=1 logs the library's statements.
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { EventSourcingModule, ProjectionManager } from '../../lib/index.js';
import { BacklogProjection } from '../bench-domain.js';
import { POSTGRES_URL } from '../harness.js';
import { rawCatchUp } from '../scale.bench.js';

const SCHEMA = 'perf_tail';
const TAIL = 100_000;
const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
const ds = new DataSource({
  type: 'postgres',
  url: POSTGRES_URL,
  poolSize: 10,
  logging: process.env.LOGQ ? ['query'] : false,
});
await ds.initialize();
@Module({
  imports: [
    CqrsModule.forRoot(),
    EventSourcingModule.forRoot({ dataSource: ds, schema: SCHEMA, workers: false }),
  ],
  providers: [BacklogProjection],
})
class M {}
const app = await NestFactory.createApplicationContext(M, { logger: ['error', 'warn'] });
const manager = app.get(ProjectionManager);
const backlog = app.get(BacklogProjection);
const mark = (
  await pool.query<{ tx: string; pos: string }>(
    `SELECT tx, pos FROM ${SCHEMA}.marks WHERE name = 'tail'`,
  )
).rows[0];
const from = `${mark.tx}:${mark.pos}`;
await pool.query(
  `CREATE TABLE IF NOT EXISTS ${SCHEMA}.raw_checkpoints (name TEXT PRIMARY KEY, checkpoint TEXT)`,
);
await pool.query(
  `INSERT INTO ${SCHEMA}.raw_checkpoints VALUES ('raw', NULL) ON CONFLICT DO NOTHING`,
);

async function lib(): Promise<number> {
  await manager.reset('bench_backlog');
  await pool.query(
    `INSERT INTO ${SCHEMA}.es_subscriptions (name, checkpoint) VALUES ('bench_backlog', $1)
ON CONFLICT (name) DO UPDATE SET checkpoint = EXCLUDED.checkpoint`,
    [from],
  );
  backlog.handled = 0;
  const c = process.cpuUsage();
  const t = performance.now();
  await manager.start('bench_backlog');
  await manager.waitForCatchUp('bench_backlog', { timeoutMs: 600_000 });
  const ms = performance.now() - t;
  const u = process.cpuUsage(c);
  await manager.stop('bench_backlog');
  if (backlog.handled !== TAIL) throw new Error(`lib caught up ${backlog.handled} events`);
  console.log(
    `  lib ${Math.round((TAIL / ms) * 1000)} events/s, node cpu ${((u.user + u.system) / TAIL).toFixed(2)} us/event`,
  );
  return (TAIL / ms) * 1000;
}

async function raw(): Promise<number> {
  const t = performance.now();
  const got = await rawCatchUp(
    pool,
    `${SCHEMA}.es_events`,
    `${SCHEMA}.raw_checkpoints`,
    from,
    TAIL,
  );
  const ms = performance.now() - t;
  if (got !== TAIL) throw new Error(`raw caught up ${got} events`);
  console.log(`  raw ${Math.round((TAIL / ms) * 1000)} events/s`);
  return (TAIL / ms) * 1000;
}

const ratios: number[] = [];
const rounds = Number(process.argv[2] ?? 4);
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? [raw, lib] : [lib, raw];
  const rates = new Map<unknown, number>();
  for (const run of order) rates.set(run, await run());
  ratios.push(rates.get(lib)! / rates.get(raw)!);
  console.log(`round ${round + 1}: lib/raw ${ratios.at(-1)!.toFixed(2)}x`);
}
const sorted = [...ratios].sort((a, b) => a - b);
const median = (sorted[(sorted.length - 1) >> 1] + sorted[sorted.length >> 1]) / 2;
console.log(
  `catch-up ${TAIL} on perf_tail: lib/raw median ${median.toFixed(2)}x (${sorted[0].toFixed(2)}-${sorted.at(-1)!.toFixed(2)})`,
);
await app.close();
await ds.destroy();
await pool.end();
