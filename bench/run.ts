// Benchmarks of the event store against raw drivers and Emmett. Run by hand (`npm run bench`),
// never in CI. Scale every count with BENCH_SCALE (default 1, about 2-3 minutes on 2 cores).
import { cpus } from 'node:os';
import { SCALE, type Report } from './harness.js';
import { runMariadb } from './mariadb.bench.js';
import { runPostgres } from './postgres.bench.js';
import { PAGE_SIZE, WRITERS } from './scenarios.js';

const LEGEND = `columns:
  raw     the bare driver: one autocommit INSERT per append (a multi-row INSERT for 100 events)
          into a table with the library's columns and indexes; plain SELECTs for reads
          (the global log paged by ORDER BY global_position LIMIT ${PAGE_SIZE}, no visibility horizon)
  raw-tx  the same INSERT as BEGIN; INSERT; COMMIT on one pooled connection
  lib     TypeOrmEventStore over a TypeORM DataSource (expectedVersion 'any', readStream, readAll)
  emmett  @event-driven-io/emmett-postgresql (appendToStream, readStream, readMessagesBatch),
          in a database of its own on the same server (its migration is not schema-aware)
every append goes to a new stream; ${WRITERS}-writers runs ${WRITERS} appends concurrently;
tables are analyzed (PostgreSQL: VACUUM ANALYZE) before the reads, as autovacuum keeps a live table;
each scenario runs in rounds with the implementations in rotated order, so noise hits all alike;
ratios are lib throughput / other throughput (above 1x the library is faster)`;

async function main(): Promise<void> {
  const started = Date.now();
  console.log(
    `nestjs-event-sourcing benchmark: scale ${SCALE}, node ${process.version}, ${cpus().length} CPUs`,
  );
  const reports: Report[] = [];
  for (const [name, run] of [
    ['postgres', runPostgres],
    ['mariadb', runMariadb],
  ] as const) {
    console.log(`\n${name}:`);
    try {
      reports.push(await run());
    } catch (error) {
      console.error(`${name} benchmark failed:`, error instanceof Error ? error.stack : error);
      process.exitCode = 1;
    }
  }
  for (const report of reports) report.printTable();
  console.log(`\n${LEGEND}\n`);
  for (const report of reports) for (const line of report.ratioLines()) console.log(line);
  console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(0)}s`);
}

await main();
