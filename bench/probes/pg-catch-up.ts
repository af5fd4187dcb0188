// Probe (diagnosis, not a benchmark): a projection catching up the 100k tail of perf_tail (built by
// pg-tail.ts `build`), timed with its Node CPU per event; LOGQ=1 logs its statements.
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { EventSourcingModule, ProjectionManager } from '../../lib/index.js';
import { BacklogProjection } from '../bench-domain.js';
import { POSTGRES_URL } from '../harness.js';

const SCHEMA = 'perf_tail';
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
for (let round = 0; round < Number(process.argv[2] ?? 3); round++) {
  await manager.reset('bench_backlog');
  await pool.query(
    `INSERT INTO ${SCHEMA}.es_subscriptions (name, checkpoint) VALUES ('bench_backlog', $1)
ON CONFLICT (name) DO UPDATE SET checkpoint = EXCLUDED.checkpoint`,
    [`${mark.tx}:${mark.pos}`],
  );
  backlog.handled = 0;
  const c = process.cpuUsage();
  const t = performance.now();
  await manager.start('bench_backlog');
  await manager.waitForCatchUp('bench_backlog', { timeoutMs: 600_000 });
  const ms = performance.now() - t;
  const u = process.cpuUsage(c);
  await manager.stop('bench_backlog');
  console.log(
    `catch-up ${backlog.handled} events: ${Math.round((backlog.handled / ms) * 1000)} events/s, node cpu ${((u.user + u.system) / backlog.handled).toFixed(2)} us/event`,
  );
}
await app.close();
await ds.destroy();
await pool.end();
