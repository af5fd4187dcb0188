// Benchmarks of the event store, its aggregates and its projections against raw drivers (and
// Emmett). Run by hand, never in CI:
//
//   npm run bench                                       every family (about 11 minutes on 2 cores)
//   npm run build && node dist/bench/run.js aggregates  one family; several: `aggregates projections`
//   node dist/bench/run.js projections:lag              only some parts of the projections family
//   BENCH_SCALE=0.2 node dist/bench/run.js projections  a quick smoke run
//
// Families (each on a fresh schema / database, dropped at the end and on Ctrl-C):
//   postgres     appends, stream reads and global-log reads: raw pg (prepared), lib, Emmett (~1 min)
//   mariadb      the same on MariaDB: raw mysql2 (lossy autocommit, and the lossless scheme by
//                hand), lib (~1 min)
//   aggregates   PostgreSQL and MariaDB, through a Nest application context (~1 min): loads of a
//                1000- and a 10,000-event aggregate, with and without snapshots, vs correct raw
//                loaders; saves of one event (PostgreSQL)
//   scale        PostgreSQL, a log of 1M and 5M events (BENCH_LARGE_EVENTS, ~5 min): bytes per
//                event, appends and tail reads at each size, a 100k backlog catch-up, and the peak
//                RSS of a separate process (rebuild-child) rebuilding a projection over the log
//   projections  PostgreSQL, through a Nest application context (~2 min), parts:
//                catch-up  50,000 events projected with one INSERT each, batchSize 100 and 1000,
//                          lib vs a raw pg loop, 3 interleaved runs
//                lag       200 appends/s for 10 s per variant (5 variants), append commit to handler
//
// Diagnostics (not benchmarks, run one by one after `npm run build`): bench/probes/ splits an
// aggregate load into SQL, decoding and repository, shows the PostgreSQL tail page's plan on a log
// built once in schema perf_tail (dropped with `pg-tail.js drop`), a catch-up's statements, and the
// MariaDB and SQLite log plans with bytes per event.
//
// Last full run (README "Benchmarks"): 2 December 2026, 675 s, on the 2-core machine while other
// jobs ran test suites on it (load average 4-14): ranges were wide, read them with the ratios.
//
// BENCH_SCALE (default 1) multiplies every count and the lag test's duration (not the aggregate
// stream lengths nor the append rate). PG_URL and MARIADB_URL point at the servers (see
// harness.ts). On a server shared with other work, an open transaction anywhere on it holds back
// the global log's read horizon: the lag table shows how long ("held") and a note names the session.
import { cpus } from 'node:os';
import { AGGREGATE_LEGEND, runAggregates } from './aggregates.bench.js';
import { SCALE } from './harness.js';
import { runMariadb } from './mariadb.bench.js';
import { runPostgres } from './postgres.bench.js';
import { runScale, SCALE_LEGEND } from './scale.bench.js';
import { PROJECTION_LEGEND, runProjections } from './projections.bench.js';
import { ROUNDS, WRITERS } from './scenarios.js';

const STORE_LEGEND = `store columns (postgres, mariadb):
  raw           the bare driver: one autocommit INSERT per append into a table with the library's
                columns and indexes (PostgreSQL: a named prepared statement, VALUES for one event,
                one unnest of arrays for 100; MariaDB: AUTO_INCREMENT positions, which a reader
                can skip: the lossy baseline). Reads: prepared SELECTs; the global log paged
                gap-safe on PostgreSQL (tx_id below the oldest running transaction, a scalar
                subquery), by position on MariaDB
  raw-tx        the same INSERT as BEGIN; INSERT; COMMIT on one pooled connection
  raw-lossless  (MariaDB) the library's lossless scheme by hand: one multi-statement batch locks
                the head row, takes the positions, inserts and commits (one round trip)
  lib           TypeOrmEventStore over a TypeORM DataSource (expectedVersion 'any', readStream, readAll)
  emmett        @event-driven-io/emmett-postgresql (appendToStream, readStream, readMessagesBatch),
                in a database of its own on the same server (its migration is not schema-aware)
every append goes to a new stream; ${WRITERS}-writers runs ${WRITERS} appends concurrently;
the reads run right after the writes, without VACUUM / ANALYZE (as a live application reads what
it has just appended); a log reader stops at its event count, not at a short page;
each scenario runs in ${ROUNDS} rounds with the implementations in rotated order, so noise hits all
alike; the median round is shown, the range (slowest to fastest round) beside it;
ratios are lib throughput / other throughput (above 1x the library is faster)`;

/** What a family hands back: printed after every family has run. */
interface FamilyReport {
  printTable(): void;
  ratioLines(): string[];
}

interface Family {
  name: string;
  /** `parts`: what followed the family's name and a colon, split at `+` (projections only). */
  run: (parts?: string[]) => Promise<FamilyReport>;
  legend: string;
}

const FAMILIES: Family[] = [
  { name: 'postgres', run: runPostgres, legend: STORE_LEGEND },
  { name: 'mariadb', run: runMariadb, legend: STORE_LEGEND },
  { name: 'aggregates', run: runAggregates, legend: AGGREGATE_LEGEND },
  { name: 'scale', run: runScale, legend: SCALE_LEGEND },
  {
    name: 'projections',
    run: (parts) => runProjections(parts),
    legend: PROJECTION_LEGEND,
  },
];

/**
 * The families named on the command line, all by default: `aggregates`, `postgres,mariadb`,
 * `aggregates projections`; `projections:lag+memory` runs only those parts of a family.
 */
function selectedFamilies(args: string[]): { family: Family; parts?: string[] }[] {
  const tokens = args.flatMap((a) => a.split(',')).filter((a) => a.length > 0);
  if (tokens.length === 0) return FAMILIES.map((family) => ({ family }));
  return tokens.map((token) => {
    const [name, parts] = token.split(':');
    const family = FAMILIES.find((f) => f.name === name);
    if (!family) {
      throw new Error(
        `unknown benchmark family "${name}"; known: ${FAMILIES.map((f) => f.name).join(', ')}`,
      );
    }
    return { family, parts: parts?.split('+').filter((p) => p.length > 0) };
  });
}

async function main(): Promise<void> {
  const families = selectedFamilies(process.argv.slice(2));
  const started = Date.now();
  console.log(
    `nestjs-event-sourcing benchmark: scale ${SCALE}, node ${process.version}, ${cpus().length} CPUs, ` +
      `families ${families.map((f) => f.family.name).join(', ')}`,
  );
  const reports: FamilyReport[] = [];
  const legends = new Set<string>();
  for (const { family, parts } of families) {
    console.log(`\n${family.name}${parts ? ` (${parts.join(', ')})` : ''}:`);
    const familyStarted = Date.now();
    try {
      reports.push(await family.run(parts));
      legends.add(family.legend);
    } catch (error) {
      console.error(
        `${family.name} benchmark failed:`,
        error instanceof Error ? error.stack : error,
      );
      process.exitCode = 1;
    }
    console.log(`${family.name}: ${((Date.now() - familyStarted) / 1000).toFixed(0)}s`);
  }
  for (const report of reports) report.printTable();
  for (const legend of legends) console.log(`\n${legend}`);
  console.log('');
  for (const report of reports) for (const line of report.ratioLines()) console.log(line);
  console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(0)}s`);
}

await main();
