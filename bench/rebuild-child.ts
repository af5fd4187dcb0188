// A separate process that rebuilds a projection over the whole log of a schema and reports its
// peak RSS: started by the scale benchmark (`node dist/bench/rebuild-child.js <schema>`), prints
// one JSON line.
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { EventSourcingModule, ProjectionManager } from '../lib/index.js';
import { RebuildProjection } from './bench-domain.js';
import { POSTGRES_URL } from './harness.js';
import { stockTypes } from './pg-common.js';

const MB = 1024 * 1024;

async function main(): Promise<void> {
  const schema = process.argv[2];
  if (!schema) throw new Error('usage: rebuild-child <schema>');
  const dataSource = new DataSource({
    type: 'postgres',
    url: POSTGRES_URL,
    poolSize: 4,
    applicationName: schema,
    extra: { types: stockTypes },
  });
  await dataSource.initialize();
  @Module({
    imports: [
      CqrsModule.forRoot(),
      EventSourcingModule.forRoot({ dataSource, schema, workers: false }),
    ],
    providers: [RebuildProjection],
  })
  class RebuildChildModule {}
  const app = await NestFactory.createApplicationContext(RebuildChildModule, {
    logger: ['error', 'warn'],
  });
  const manager = app.get(ProjectionManager);
  const projection = app.get(RebuildProjection);
  const rssBefore = process.memoryUsage().rss;
  let rssMax = rssBefore;
  const timer = setInterval(() => {
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
  }, 250);
  const t0 = performance.now();
  await manager.rebuild('bench_rebuild', { timeoutMs: 3_600_000 });
  const ms = performance.now() - t0;
  clearInterval(timer);
  await manager.stop('bench_rebuild');
  await app.close();
  await dataSource.destroy();
  console.log(
    JSON.stringify({
      events: projection.handled,
      ms,
      rssBeforeMb: rssBefore / MB,
      rssSampledMaxMb: rssMax / MB,
      // The kernel's high-water mark of the whole process (startup included).
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

await main();
