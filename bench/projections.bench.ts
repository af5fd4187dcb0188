// Projections through a Nest application context on PostgreSQL: (a) catch-up speed vs a raw pg
// loop doing the same SQL, (b) lag from append commit to handler under a steady append load. The
// memory of a rebuild over a large log is measured in a separate process by the scale family.
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import {
  EventRegistry,
  EventSourcingModule,
  EventStore,
  getAggregateRepositoryToken,
  ProjectionManager,
  TypeOrmEventStore,
  type AggregateRepository,
} from '../lib/index.js';
import {
  insertItemSql,
  itemAddedDataSql,
  ItemsProjection,
  ItemsProjectionB100,
  ItemsProjectionB1000,
  itemsTableSql,
  LagProjection,
  LagProjectionPoll20,
  LagProjectionPoll250,
  Ticked,
  Ticker,
} from './bench-domain.js';
import { SCALE, scaled } from './harness.js';
import { median, named, openPgRun, percentile } from './pg-common.js';
import { pageThrough } from './scenarios.js';

/** (a) events in the log the catch-up projects, in each of CATCH_UP_RUNS interleaved runs. */
const CATCH_UP_EVENTS = scaled(50_000, 2000);
const CATCH_UP_RUNS = 3;
const BATCH_SIZES = [100, 1000] as const;
const CATCH_UP_GOAL = 0.8;
/** (b) appends per second and for how long. */
const LAG_RATE = 200;
const LAG_SECONDS = Math.max(2, Math.round(10 * SCALE));
/** (b) how often the read horizon's age is sampled during the append load. */
const HORIZON_SAMPLE_MS = 100;
/** A horizon held back longer than this gets a note naming the session that held it. */
const HELD_NOTE_MS = 100;
/**
 * The library's own measure (the dialect's heldBackSql behind TypeOrmEventStore.readHorizonAgeMs),
 * plus who it is, to name the session in the report.
 */
const HELD_BACK_SQL = `SELECT EXTRACT(EPOCH FROM clock_timestamp() - xact_start) * 1000 AS ms,
  datname || ' pid ' || pid || ', ' || state || ': ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 80) AS who
FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()
ORDER BY xact_start LIMIT 1`;
/** Rows per INSERT ... SELECT generate_series when seeding the log. */
const SEED_CHUNK = 50_000;
const ITEM_TYPE = 'bench.item-added';

export const PROJECTION_LEGEND = `projections (PostgreSQL, one Nest application context, workers started by hand):
  catch-up  ${CATCH_UP_EVENTS.toLocaleString('en-US')} ItemAdded events in the library's table (raw multi-row INSERTs),
            projected into a table with one INSERT per event (6 columns, uuid primary key)
    lib     an async @Projection (batchSize 100 or 1000) whose handler INSERTs through ctx.manager;
            timed from projectionManager.start(name) to waitForCatchUp(name)
    raw     a pg loop: SELECT a page of the same size in the library's order (tx_id, global_position,
            below the oldest running transaction as a scalar subquery, type filter), then BEGIN,
            one INSERT per event, an UPDATE of its checkpoint row, COMMIT; it stops when it has
            projected every event, not at a short page
    the log is read right after being written (no VACUUM ANALYZE);
    ${CATCH_UP_RUNS} runs each, alternating which goes first; the median run's rate is shown; goal lib/raw >= ${CATCH_UP_GOAL}x
  lag       ${LAG_RATE} appends/s for ${LAG_SECONDS} s, one event each to a new stream, not waiting for one to commit
            before sending the next; lag = time the projection handler first sees the event minus
            the time its append resolved (committed). The projection does no I/O of its own.
            held p95/max: age of the oldest transaction with an id on the whole server, sampled every
            ${HORIZON_SAMPLE_MS} ms (as readHorizonAgeMs does): no reader sees events committed after it began
            until it ends, so other sessions on a shared server (and this test's own appends) add to
            the lag; a note names the session when it exceeded ${HELD_NOTE_MS} ms
    repository     AggregateRepository.save (the module's change feed wakes the workers in-process)
    event-store    the module's EventStore.appendToStream (the store itself wakes them in-process)
    other-context  the EventStore of a second Nest application context on the same schema, as
                   another process would append: the wake-up arrives by PostgreSQL LISTEN/NOTIFY
    no-wake-up     a TypeOrmEventStore made outside the module: workers find the events by polling
                   (pollIntervalMs 250, the default, and 20)`;

interface CatchUpResult {
  batchSize: number;
  impl: 'raw' | 'lib';
  /** Events per second of each run. */
  rates: number[];
}

interface LagResult {
  variant: string;
  pollIntervalMs: number;
  /** Sorted lags in ms. */
  lags: number[];
  /** Appends sent and the rate they really went out at. */
  sent: number;
  sendRate: number;
  /** Sorted append latencies (send to commit) in ms. */
  appendMs: number[];
  /**
   * Sorted samples (every HORIZON_SAMPLE_MS) of how long the oldest transaction with an id on the
   * server had been open: what holds back the log's read horizon (TypeOrmEventStore.readHorizonAgeMs).
   */
  heldBackMs: number[];
  /** The session that held the horizon back longest, when that was over HELD_NOTE_MS. */
  heldBy?: string;
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (n: number) => (n >= 100 ? fmt(n) : fmt(n, 1));

/** Collects the three parts' results and prints them. */
export class ProjectionReport {
  readonly catchUp: CatchUpResult[] = [];
  readonly lag: LagResult[] = [];

  constructor(readonly title: string) {}

  private rate(batchSize: number, impl: 'raw' | 'lib'): number | undefined {
    const r = this.catchUp.find((c) => c.batchSize === batchSize && c.impl === impl);
    return r ? median(r.rates) : undefined;
  }

  printTable(): void {
    console.log(`\n${this.title}`);
    console.log(
      `catch-up of ${fmt(CATCH_UP_EVENTS)} events, one INSERT per event (events/s, median of ${CATCH_UP_RUNS} runs)`,
    );
    const rows = BATCH_SIZES.map((b) => {
      const raw = this.rate(b, 'raw');
      const lib = this.rate(b, 'lib');
      const runs = (impl: 'raw' | 'lib') =>
        (this.catchUp.find((c) => c.batchSize === b && c.impl === impl)?.rates ?? [])
          .map((r) => fmt(r))
          .join(' / ');
      return [
        String(b),
        raw ? fmt(raw) : 'n/a',
        lib ? fmt(lib) : 'n/a',
        raw && lib ? `${(lib / raw).toFixed(2)}x` : 'n/a',
        `raw ${runs('raw')}; lib ${runs('lib')}`,
      ];
    });
    printRows(['batch', 'raw', 'lib', 'lib/raw', 'runs'], rows);

    console.log(
      `\nlag under ${LAG_RATE} appends/s for ${LAG_SECONDS} s, append commit -> handler (ms)`,
    );
    printRows(
      [
        'appends via',
        'poll ms',
        'p50',
        'p95',
        'p99',
        'max',
        'events',
        'sent/s',
        'append p50',
        'held p95/max',
      ],
      this.lag.map((l) => [
        l.variant,
        String(l.pollIntervalMs),
        ms(percentile(l.lags, 50)),
        ms(percentile(l.lags, 95)),
        ms(percentile(l.lags, 99)),
        ms(l.lags.at(-1) ?? NaN),
        `${l.lags.length}/${l.sent}`,
        fmt(l.sendRate),
        ms(percentile(l.appendMs, 50)),
        `${ms(percentile(l.heldBackMs, 95))}/${ms(l.heldBackMs.at(-1) ?? NaN)}`,
      ]),
    );
    for (const l of this.lag.filter((x) => x.heldBy)) {
      console.log(
        `note: lag ${l.variant} poll ${l.pollIntervalMs}: the read horizon was held back up to ${l.heldBy}`,
      );
    }
  }

  ratioLines(): string[] {
    const lines: string[] = [];
    for (const b of BATCH_SIZES) {
      const raw = this.rate(b, 'raw');
      const lib = this.rate(b, 'lib');
      const ratio = raw && lib ? lib / raw : undefined;
      lines.push(
        `postgres projections catch-up/batch-${b}: lib/raw ${ratio ? `${ratio.toFixed(2)}x` : 'n/a'}` +
          (ratio
            ? ` (goal >= ${CATCH_UP_GOAL}x: ${ratio >= CATCH_UP_GOAL ? 'met' : 'missed'})`
            : ''),
      );
    }
    for (const l of this.lag) {
      lines.push(
        `postgres projections lag/${l.variant.replace(/ /g, '-')}-poll-${l.pollIntervalMs}: ` +
          `p50 ${ms(percentile(l.lags, 50))} ms, p95 ${ms(percentile(l.lags, 95))} ms, ` +
          `p99 ${ms(percentile(l.lags, 99))} ms`,
      );
    }
    return lines;
  }
}

function printRows(header: string[], rows: string[][]): void {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) =>
        c === 0 || c === cells.length - 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]),
      )
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

/** Writes ItemAdded events number `from` .. `to - 1` (stream `item-<g / 100>`), server-side. */
async function seedItems(pool: pg.Pool, events: string, from: number, to: number): Promise<void> {
  for (let start = from; start < to; start += SEED_CHUNK) {
    const end = Math.min(to, start + SEED_CHUNK) - 1;
    await pool.query(
      `INSERT INTO ${events} (stream_id, category, version, event_id, type, data, metadata)
SELECT 'item-' || (g / 100), 'item', g % 100 + 1, gen_random_uuid(), '${ITEM_TYPE}', ${itemAddedDataSql('g')}, '{"eventVersion": 1}'::jsonb
FROM generate_series($1::bigint, $2::bigint) g ORDER BY g`,
      [start, end],
    );
  }
}

/**
 * The raw baseline of the catch-up: pages in the library's log order, each page's INSERTs and
 * checkpoint in one transaction. Returns the number of events projected.
 */
async function rawCatchUp(
  pool: pg.Pool,
  events: string,
  table: string,
  checkpoints: string,
  pageSize: number,
): Promise<number> {
  // (The text form of tx_id must not be called tx_id: ORDER BY would sort by that text column.)
  const read = `SELECT tx_id::text AS tx, global_position, stream_id, version, event_id, data::text AS data
FROM ${events}
WHERE (tx_id, global_position) > ($1::text::xid8, $2::bigint)
  AND tx_id < (SELECT pg_snapshot_xmin(pg_current_snapshot())) AND type = $3
ORDER BY tx_id, global_position LIMIT $4`;
  const insert = insertItemSql(table);
  const save = `UPDATE ${checkpoints} SET checkpoint = $1 WHERE name = 'raw'`;
  let tx = '0';
  let position = '0';
  // A short page is not the end: it goes on until every event of the log is projected.
  return pageThrough(CATCH_UP_EVENTS, pageSize, async (max) => {
    const { rows } = await pool.query<{
      tx: string;
      global_position: string;
      stream_id: string;
      version: number;
      event_id: string;
      data: string;
    }>(named(read, [tx, position, ITEM_TYPE, max]));
    if (rows.length === 0) return 0;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      for (const row of rows) {
        const data = JSON.parse(row.data) as { sku: string; quantity: number; price: number };
        // Unprepared, as the projection's handler sends it through ctx.manager.query.
        await client.query(insert, [
          row.event_id,
          row.stream_id,
          row.version,
          data.sku,
          data.quantity,
          data.quantity * data.price,
        ]);
      }
      const last = rows[rows.length - 1];
      await client.query(named(save, [`${last.tx}:${last.global_position}`]));
      await client.query('COMMIT');
      tx = last.tx;
      position = last.global_position;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
    return rows.length;
  });
}

/** Rows and a checksum of a read model, to check every implementation wrote the same thing. */
async function tableSummary(pool: pg.Pool, table: string): Promise<string> {
  const { rows } = await pool.query<{ n: string; total: string }>(
    `SELECT COUNT(*) AS n, SUM(amount) AS total FROM ${table}`,
  );
  return `${rows[0].n} rows, sum ${rows[0].total}`;
}

export const PROJECTION_PARTS = ['catch-up', 'lag'] as const;

/** Runs the three parts (or those named) on a fresh schema. */
export async function runProjections(
  only: readonly string[] = PROJECTION_PARTS,
): Promise<ProjectionReport> {
  const unknown = only.filter((p) => !(PROJECTION_PARTS as readonly string[]).includes(p));
  if (unknown.length > 0) {
    throw new Error(
      `unknown projections part ${unknown.join(', ')}; known: ${PROJECTION_PARTS.join(', ')}`,
    );
  }
  const parts = new Set(only);
  const run = await openPgRun();
  try {
    const { schema, pool } = run;
    @Module({
      imports: [
        CqrsModule.forRoot(),
        EventSourcingModule.forRoot({ dataSource: run.dataSource, schema, workers: false }),
        EventSourcingModule.forFeature([Ticker]),
      ],
      providers: [
        ItemsProjectionB100,
        ItemsProjectionB1000,
        LagProjectionPoll250,
        LagProjectionPoll20,
      ],
    })
    class ProjectionsBenchModule {}
    const app = await NestFactory.createApplicationContext(ProjectionsBenchModule, {
      logger: ['error', 'warn'],
    });
    run.onClose(() => app.close());
    const manager = app.get(ProjectionManager);
    const report = new ProjectionReport(
      `${run.title}: projections through a Nest application context`,
    );
    const events = `"${schema}"."es_events"`;

    // The log holds `seeded` ItemAdded events; each part adds what it needs.
    let seeded = 0;
    const seedTo = async (count: number) => {
      const started = performance.now();
      await seedItems(pool, events, seeded, count);
      console.log(
        `  seeded events ${fmt(seeded)} to ${fmt(count)} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      seeded = count;
    };

    // (a) Catch-up.
    if (parts.has('catch-up')) {
      await seedTo(CATCH_UP_EVENTS);
      const checkpoints = `"${schema}"."raw_checkpoints"`;
      await pool.query(`CREATE TABLE ${checkpoints} (name TEXT PRIMARY KEY, checkpoint TEXT)`);
      await pool.query(`INSERT INTO ${checkpoints} (name) VALUES ('raw')`);
      const rawTable = `"${schema}"."raw_items"`;
      await pool.query(itemsTableSql(rawTable));
      const projections: Record<number, { name: string; instance: ItemsProjection }> = {
        100: { name: 'bench_items_b100', instance: app.get(ItemsProjectionB100) },
        1000: { name: 'bench_items_b1000', instance: app.get(ItemsProjectionB1000) },
      };
      for (const b of BATCH_SIZES) {
        projections[b].instance.table = `"${schema}"."items_b${b}"`;
        // The reset hook empties it before every run.
        await pool.query(itemsTableSql(projections[b].instance.table));
      }
      let expected: string | undefined;
      for (const [i, b] of BATCH_SIZES.entries()) {
        const { name, instance } = projections[b];
        const results = {
          raw: { batchSize: b, impl: 'raw' as const, rates: [] as number[] },
          lib: { batchSize: b, impl: 'lib' as const, rates: [] as number[] },
        };
        const runs = {
          raw: async () => {
            await pool.query(`TRUNCATE ${rawTable}`);
            const t0 = performance.now();
            const done = await rawCatchUp(pool, events, rawTable, checkpoints, b);
            const elapsed = performance.now() - t0;
            if (done !== CATCH_UP_EVENTS) throw new Error(`raw projected ${done} events`);
            return { elapsed, table: rawTable };
          },
          lib: async () => {
            await manager.reset(name);
            instance.handled = 0;
            const t0 = performance.now();
            await manager.start(name);
            await manager.waitForCatchUp(name, { timeoutMs: 1_800_000 });
            const elapsed = performance.now() - t0;
            await manager.stop(name);
            if (instance.handled !== CATCH_UP_EVENTS) {
              throw new Error(`${name} handled ${instance.handled} events`);
            }
            return { elapsed, table: instance.table };
          },
        };
        for (let r = 0; r < CATCH_UP_RUNS; r++) {
          const order = (r + i) % 2 === 0 ? (['raw', 'lib'] as const) : (['lib', 'raw'] as const);
          for (const impl of order) {
            const { elapsed, table } = await runs[impl]();
            const summary = await tableSummary(pool, table);
            expected ??= summary;
            if (summary !== expected) {
              throw new Error(`${impl} batch ${b} wrote ${summary}, expected ${expected}`);
            }
            const rate = (CATCH_UP_EVENTS * 1000) / elapsed;
            results[impl].rates.push(rate);
            console.log(
              `  catch-up batch ${b} ${impl}: ${fmt(rate)} events/s (${(elapsed / 1000).toFixed(1)} s)`,
            );
          }
        }
        report.catchUp.push(results.raw, results.lib);
      }
    }

    // (b) Lag under a steady append load.
    if (parts.has('lag')) {
      const tickers = app.get<AggregateRepository<Ticker>>(getAggregateRepositoryToken(Ticker));
      const store = app.get(EventStore);
      const registry = app.get(EventRegistry);
      // Another application context on the same schema stands in for another process: its appends
      // reach this one only through PostgreSQL NOTIFY (its in-process wake-up has no workers to wake).
      @Module({
        imports: [
          CqrsModule.forRoot(),
          EventSourcingModule.forRoot({ dataSource: run.dataSource, schema, workers: false }),
        ],
      })
      class OtherProcessModule {}
      const other = await NestFactory.createApplicationContext(OtherProcessModule, {
        logger: ['error', 'warn'],
      });
      run.onClose(() => other.close());
      const otherStore = other.get(EventStore);
      // A store outside the module: it wakes nothing, so workers find its events only by polling.
      const standalone = new TypeOrmEventStore(run.dataSource, { schema });
      const appendTo =
        (target: EventStore) =>
        (runId: string, seq: number): Promise<unknown> =>
          target.appendToStream(`ticker-${runId}_${seq}`, [
            registry.serialize(new Ticked(runId, seq)),
          ]);
      const poll250 = { name: 'bench_lag_poll250', projection: app.get(LagProjectionPoll250) };
      const poll20 = { name: 'bench_lag_poll20', projection: app.get(LagProjectionPoll20) };
      const variants: {
        variant: string;
        name: string;
        projection: LagProjection;
        pollIntervalMs: number;
        append: (run: string, seq: number) => Promise<unknown>;
      }[] = [
        {
          variant: 'repository',
          ...poll250,
          pollIntervalMs: 250,
          append: (runId, seq) => {
            const ticker = new Ticker(`${runId}_${seq}`);
            ticker.tick(runId, seq);
            return tickers.save(ticker);
          },
        },
        { variant: 'event store', ...poll250, pollIntervalMs: 250, append: appendTo(store) },
        { variant: 'other context', ...poll250, pollIntervalMs: 250, append: appendTo(otherStore) },
        { variant: 'no wake-up', ...poll250, pollIntervalMs: 250, append: appendTo(standalone) },
        { variant: 'no wake-up', ...poll20, pollIntervalMs: 20, append: appendTo(standalone) },
      ];
      // Unmeasured: whichever variant ran first used to pay for the pool's growth and the JIT
      // (measured: the first of two identical event-store runs had p99 1.1 s, the second 64 ms).
      await warmUpAppends(variants.map((v) => v.append));
      for (const v of variants) {
        const runId = `${v.variant.replace(/[^a-z]/g, '')}${v.pollIntervalMs}`;
        v.projection.run = runId;
        v.projection.seen.clear();
        await manager.start(v.name);
        await manager.waitForCatchUp(v.name, { timeoutMs: 600_000 });
        const count = LAG_RATE * LAG_SECONDS;
        const committed = new Array<number>(count);
        const appendMs = new Array<number>(count);
        const pending: Promise<unknown>[] = [];
        const heldBackMs: number[] = [];
        let heldBy: { ms: number; who: string } | undefined;
        let sampling = false;
        const horizonTimer = setInterval(() => {
          if (sampling) return;
          sampling = true;
          void pool
            .query<{ ms: number; who: string }>(HELD_BACK_SQL)
            .then(({ rows }) => {
              const age = Math.round(Number(rows[0]?.ms ?? 0));
              heldBackMs.push(age);
              if (age > HELD_NOTE_MS && age > (heldBy?.ms ?? 0))
                heldBy = { ms: age, who: rows[0].who };
            })
            .catch(() => undefined)
            .finally(() => (sampling = false));
        }, HORIZON_SAMPLE_MS);
        const t0 = performance.now();
        for (let seq = 0; seq < count; seq++) {
          const due = t0 + (seq * 1000) / LAG_RATE;
          const wait = due - performance.now();
          if (wait > 1) await sleep(wait);
          const sent = performance.now();
          pending.push(
            v.append(runId, seq).then(() => {
              committed[seq] = performance.now();
              appendMs[seq] = committed[seq] - sent;
            }),
          );
        }
        const sendRate = (count * 1000) / (performance.now() - t0);
        await Promise.all(pending);
        clearInterval(horizonTimer);
        await manager.waitForCatchUp(v.name, { timeoutMs: 600_000 });
        await manager.stop(v.name);
        const lags: number[] = [];
        for (let seq = 0; seq < count; seq++) {
          const seen = v.projection.seen.get(seq);
          // Seen before the append's promise resolved (possible when polling): lag 0.
          if (seen !== undefined) lags.push(Math.max(0, seen - committed[seq]));
        }
        lags.sort((a, b) => a - b);
        const result: LagResult = {
          variant: v.variant,
          pollIntervalMs: v.pollIntervalMs,
          lags,
          sent: count,
          sendRate,
          appendMs: appendMs.sort((a, b) => a - b),
          heldBackMs: heldBackMs.sort((a, b) => a - b),
          heldBy: heldBy && `${fmt(heldBy.ms)} ms by ${heldBy.who}`,
        };
        report.lag.push(result);
        console.log(
          `  lag ${v.variant} poll ${v.pollIntervalMs}: p50 ${ms(percentile(lags, 50))} ms, ` +
            `p95 ${ms(percentile(lags, 95))} ms, p99 ${ms(percentile(lags, 99))} ms ` +
            `(${lags.length} of ${count} events seen, sent at ${fmt(sendRate)}/s)`,
        );
      }
    }

    return report;
  } finally {
    await run.close();
  }
}

/** One second of appends at the lag test's rate through each path, not measured. */
async function warmUpAppends(
  appends: ((run: string, seq: number) => Promise<unknown>)[],
): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (const [i, append] of appends.entries()) {
    const t0 = performance.now();
    for (let seq = 0; seq < LAG_RATE; seq++) {
      const wait = t0 + (seq * 1000) / LAG_RATE - performance.now();
      if (wait > 1) await sleep(wait);
      pending.push(append(`warmup${i}`, seq));
    }
  }
  await Promise.all(pending);
}
