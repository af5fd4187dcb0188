// The library on a large PostgreSQL log: bytes per event, append and tail-read rates with 0, 1M
// and 5M events in the table, the catch-up of a 100k backlog on the 5M log, and the peak RSS of a
// separate process rebuilding a projection over the whole log.
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { EventSourcingModule, EventStore, ProjectionManager } from '../lib/index.js';
import { BacklogProjection, itemAddedDataSql } from './bench-domain.js';
import { perSecond, Report, scaled, timeOps, type Measurement } from './harness.js';
import { named, openPgRun, vacuumAnalyze } from './pg-common.js';
import { rawGapSafeRead } from './postgres.bench.js';
import { compare, pageThrough, WRITERS } from './scenarios.js';

/**
 * The largest log: BENCH_LARGE_EVENTS, else 5,000,000 times BENCH_SCALE. The middle step is a
 * fifth of it (1M at full size), the backlog and the longer tail read a fiftieth (100k).
 */
const LARGE = largeEvents();
const STEPS = [0, Math.round(LARGE / 5), LARGE];
const TAIL = Math.max(2000, Math.round(LARGE / 50));
const SHORT_TAIL = Math.round(TAIL / 5);
const APPENDS_PER_ROUND = scaled(1500, 100);
const SEED_CHUNK = 50_000;
/** The tail is written as many transactions, as an application writes it. */
const TAIL_TX_ROWS = 1000;
const PAGE = 1000;
const MB = 1024 * 1024;
/**
 * Event ids as the library makes them (UUID v7: ordered by time), here ordered by the event
 * number, so the unique index on event_id grows as it does in production, at its right edge.
 */
const ORDERED_UUID = `('00000000-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid`;

function largeEvents(): number {
  const raw = process.env.BENCH_LARGE_EVENTS;
  if (raw === undefined || raw === '') return scaled(5_000_000, 50_000);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 10_000) {
    throw new Error(`BENCH_LARGE_EVENTS must be a whole number >= 10000, got "${raw}"`);
  }
  return value;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const label = (n: number) =>
  n >= 1_000_000
    ? `${+(n / 1_000_000).toFixed(1)}M`
    : n >= 1000
      ? `${+(n / 1000).toFixed(1)}k`
      : `${n}`;

export const SCALE_LEGEND = `scale (PostgreSQL, the library's table seeded server-side with ${label(STEPS[1])} and ${label(LARGE)} ItemAdded events,
  then VACUUM ANALYZE once, as autovacuum leaves a table; BENCH_LARGE_EVENTS sets the largest size):
  bytes/event    pg_table_size and pg_indexes_size of the events table over its rows
  append@N       ${WRITERS} writers, one event per append to a new stream, with N events in the table:
                 lib appendToStream vs raw (a named prepared INSERT into the same table)
  tail-K@N       the last K events of the log, written after the ANALYZE in transactions of
                 ${TAIL_TX_ROWS} rows and not analysed since, read in pages of ${PAGE}: lib readAll vs a raw
                 gap-safe loop (tx_id below the oldest running transaction as a scalar subquery)
  catch-up@N     a projection (batchSize 1000, the handler only sums) catching up a backlog of
                 ${label(TAIL)} events from its checkpoint vs a raw loop (gap-safe page of type, data and
                 metadata, the schema version checked, then BEGIN, UPDATE of a checkpoint row, COMMIT)
  rebuild        a separate node process (bench/rebuild-child) rebuilding a projection over the whole
                 log; peak RSS is the kernel's high-water mark of that process (startup included)`;

interface RebuildResult {
  logEvents: number;
  events: number;
  ms: number;
  rssBeforeMb: number;
  peakRssMb: number;
}

class ScaleReport {
  readonly bytes: { rows: number; table: number; indexes: number }[] = [];
  readonly rebuilds: RebuildResult[] = [];
  constructor(readonly report: Report) {}

  printTable(): void {
    this.report.printTable();
    for (const b of this.bytes) {
      console.log(
        `bytes per event at ${label(b.rows)} rows: table ${fmt(b.table / b.rows)}, indexes ${fmt(b.indexes / b.rows)}, total ${fmt((b.table + b.indexes) / b.rows)}`,
      );
    }
    for (const r of this.rebuilds) {
      console.log(
        `rebuild over ${label(r.logEvents)} events in a separate process: ${fmt(r.events)} handled in ${(r.ms / 1000).toFixed(1)} s ` +
          `(${fmt(perSecond(r.events, r.ms))} events/s), rss before ${fmt(r.rssBeforeMb)} MB, peak ${fmt(r.peakRssMb)} MB`,
      );
    }
  }

  ratioLines(): string[] {
    const lines = this.report.ratioLines();
    if (this.rebuilds.length > 1) {
      const [first, last] = [this.rebuilds[0], this.rebuilds.at(-1)!];
      lines.push(
        `postgres scale rebuild peak RSS: ${this.rebuilds.map((r) => `${label(r.logEvents)} events ${fmt(r.peakRssMb)} MB`).join(', ')} ` +
          `(${fmt(last.peakRssMb - first.peakRssMb)} MB more for ${(last.logEvents / first.logEvents).toFixed(1)}x the events)`,
      );
    }
    return lines;
  }
}

async function rebuildInChild(schema: string, logEvents: number): Promise<RebuildResult> {
  const child = fileURLToPath(new URL('./rebuild-child.js', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [child, schema], {
    maxBuffer: 16 * MB,
  });
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as Omit<RebuildResult, 'logEvents'>;
  return { ...result, logEvents };
}

export async function runScale(): Promise<ScaleReport> {
  const run = await openPgRun();
  try {
    const { schema, pool } = run;
    @Module({
      imports: [
        CqrsModule.forRoot(),
        EventSourcingModule.forRoot({ dataSource: run.dataSource, schema, workers: false }),
      ],
      providers: [BacklogProjection],
    })
    class ScaleBenchModule {}
    const app = await NestFactory.createApplicationContext(ScaleBenchModule, {
      logger: ['error', 'warn'],
    });
    run.onClose(() => app.close());
    const store = app.get(EventStore);
    const manager = app.get(ProjectionManager);
    const backlog = app.get(BacklogProjection);
    const events = `"${schema}"."es_events"`;
    const subscriptions = `"${schema}"."es_subscriptions"`;
    await pool.query(
      `CREATE TABLE "${schema}".raw_checkpoints (name TEXT PRIMARY KEY, checkpoint TEXT)`,
    );
    await pool.query(`INSERT INTO "${schema}".raw_checkpoints VALUES ('raw', NULL)`);

    const eventRate = { unit: 'events/s', rate: (m: Measurement) => perSecond(m.events, m.ms) };
    const specs = STEPS.flatMap((n) => [
      { name: `append@${label(n)}`, rates: [eventRate], ratios: [['lib', 'raw', 'lib/raw']] },
      ...(n === 0
        ? []
        : [SHORT_TAIL, TAIL].map((k) => ({
            name: `tail-${label(k)}@${label(n)}`,
            rates: [eventRate],
            ratios: [['lib', 'raw', 'lib/raw']],
          }))),
      ...(n === LARGE
        ? [
            {
              name: `catch-up-${label(TAIL)}@${label(n)}`,
              rates: [eventRate],
              ratios: [['lib', 'raw', 'lib/raw']],
            },
          ]
        : []),
    ]) as { name: string; rates: (typeof eventRate)[]; ratios: [string, string, string][] }[];
    const result = new ScaleReport(
      new Report('postgres scale', `${run.title}: a large log`, ['raw', 'lib'], specs),
    );

    let rows = 0;
    let seq = 0;
    /** ItemAdded events `from`..`to - 1`, server-side, `chunk` rows per transaction. */
    const writeItems = async (count: number, chunk: number) => {
      for (let start = seq; start < seq + count; start += chunk) {
        const end = Math.min(seq + count, start + chunk) - 1;
        await pool.query(
          `INSERT INTO ${events} (stream_id, category, version, event_id, type, data, metadata)
SELECT 'item-' || (g / 100), 'item', g % 100 + 1, ${ORDERED_UUID}, 'bench.item-added', ${itemAddedDataSql('g')}, '{"eventVersion": 1}'::jsonb
FROM generate_series($1::bigint, $2::bigint) g ORDER BY g`,
          [start, end],
        );
      }
      seq += count;
      rows += count;
    };
    const headCheckpoint = () => store.headCheckpoint();

    for (const n of STEPS) {
      if (n > rows) {
        const t0 = performance.now();
        await writeItems(n - rows, SEED_CHUNK);
        await vacuumAnalyze(pool, schema);
        console.log(
          `  seeded to ${fmt(rows)} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
        );
        const { rows: size } = await pool.query<{ t: string; i: string; n: string }>(
          `SELECT pg_table_size('${events}') AS t, pg_indexes_size('${events}') AS i, (SELECT COUNT(*) FROM ${events}) AS n`,
        );
        result.bytes.push({
          rows: Number(size[0].n),
          table: Number(size[0].t),
          indexes: Number(size[0].i),
        });
      }

      // Appends with n events in the table, lib and raw into the same table.
      let streams = 0;
      const appenders = [
        {
          name: 'raw',
          append: () =>
            pool.query(
              named(
                `INSERT INTO ${events} (stream_id, category, version, event_id, type, data, metadata) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
                [
                  `order-r${n}-${streams++}`,
                  'order',
                  1,
                  uuidv7(),
                  'order.placed',
                  '{"total": 1}',
                  '{"eventVersion": 1}',
                ],
              ),
            ),
        },
        {
          name: 'lib',
          append: () =>
            store.appendToStream(`order-l${n}-${streams++}`, [
              { type: 'order.placed', data: { total: 1 }, metadata: { eventVersion: 1 } },
            ]),
        },
      ];
      for (const t of appenders) await timeOps(scaled(200, 20), WRITERS, t.append);
      await compare(result.report, `append@${label(n)}`, appenders, async (t) => {
        const ms = await timeOps(APPENDS_PER_ROUND, WRITERS, t.append);
        return { ops: APPENDS_PER_ROUND, events: APPENDS_PER_ROUND, ms };
      });
      rows += streams;
      if (n === 0) continue;

      // The tail: written after the ANALYZE, never analysed.
      const beforeTail = await headCheckpoint();
      await writeItems(TAIL - SHORT_TAIL, TAIL_TX_ROWS);
      const beforeShortTail = await headCheckpoint();
      await writeItems(SHORT_TAIL, TAIL_TX_ROWS);
      for (const [k, from] of [
        [SHORT_TAIL, beforeShortTail],
        [TAIL, beforeTail],
      ] as const) {
        const readers = [
          {
            name: 'raw',
            read: () => {
              const [tx, position] = from.split(':');
              return rawGapSafeRead(pool, events, k, PAGE, { tx, position });
            },
          },
          {
            name: 'lib',
            read: () => {
              let after = from;
              return pageThrough(k, PAGE, async (max) => {
                const page = await store.readAll({ after, maxCount: max });
                after = page.checkpoint;
                return page.events.length;
              });
            },
          },
        ];
        // Every round reads at least TAIL events (the short tail several times over): one read of
        // 20k events lasts a fifth of a second, too short to rise above the shared machine's noise.
        const reads = Math.ceil(TAIL / k);
        await compare(result.report, `tail-${label(k)}@${label(n)}`, readers, async (t) => {
          let read = 0;
          const ms = await timeOps(reads, 1, async () => {
            const got = await t.read();
            if (got !== k) throw new Error(`${t.name} read ${got} of the last ${k} events`);
            read += got;
          });
          return { ops: reads * Math.ceil(k / PAGE), events: read, ms };
        });
      }

      if (n === LARGE) {
        // Each run: set up (outside the timing), then time the catch-up itself.
        const catchUps = [
          {
            name: 'raw',
            prepare: () => Promise.resolve(),
            run: () => rawCatchUp(pool, events, `"${schema}".raw_checkpoints`, beforeTail),
          },
          {
            name: 'lib',
            prepare: async () => {
              await manager.reset('bench_backlog');
              await pool.query(
                `INSERT INTO ${subscriptions} (name, checkpoint) VALUES ('bench_backlog', $1)
ON CONFLICT (name) DO UPDATE SET checkpoint = EXCLUDED.checkpoint`,
                [beforeTail],
              );
              backlog.handled = 0;
            },
            run: async () => {
              await manager.start('bench_backlog');
              await manager.waitForCatchUp('bench_backlog', { timeoutMs: 1_800_000 });
              return backlog.handled;
            },
          },
        ];
        await compare(result.report, `catch-up-${label(TAIL)}@${label(n)}`, catchUps, async (t) => {
          await t.prepare();
          let done = 0;
          const ms = await timeOps(1, 1, async () => (done = await t.run()));
          if (t.name === 'lib') await manager.stop('bench_backlog');
          if (done !== TAIL) throw new Error(`${t.name} caught up ${done} of ${TAIL} events`);
          return { ops: 1, events: TAIL, ms };
        });
      }

      const rebuild = await rebuildInChild(schema, rows);
      result.rebuilds.push(rebuild);
      console.log(
        `  rebuild over ${fmt(rows)} events in a child process: ${(rebuild.ms / 1000).toFixed(1)} s, peak rss ${fmt(rebuild.peakRssMb)} MB`,
      );
    }
    return result;
  } finally {
    await run.close();
  }
}

/**
 * The raw catch-up of `count` events: a gap-safe page after the checkpoint, then its checkpoint
 * committed (also run by bench/probes/pg-catch-up.ts).
 */
export async function rawCatchUp(
  pool: pg.Pool,
  events: string,
  checkpoints: string,
  from: string,
  count = TAIL,
): Promise<number> {
  // What a correct consumer needs: the type, the payload and the metadata (its schema version).
  const read = `SELECT tx_id::text AS tx, global_position, stream_id, version, event_id, type, data, metadata
FROM ${events}
WHERE (tx_id, global_position) > ($1::text::xid8, $2::bigint)
  AND tx_id < (SELECT pg_snapshot_xmin(pg_current_snapshot()))
ORDER BY tx_id, global_position LIMIT $3`;
  const save = `UPDATE ${checkpoints} SET checkpoint = $1 WHERE name = 'raw'`;
  let [tx, position] = from.split(':');
  let total = 0;
  let sum = 0;
  await pageThrough(count, PAGE, async (max) => {
    const { rows } = await pool.query<{
      tx: string;
      global_position: string;
      type: string;
      data: { quantity: number; price: number };
      metadata: { eventVersion?: number };
    }>(named(read, [tx, position, max]));
    if (rows.length === 0) return 0;
    for (const row of rows) {
      if (row.type !== 'bench.item-added') continue;
      if ((row.metadata.eventVersion ?? 1) !== 1) throw new Error(`unexpected ${row.type} version`);
      sum += row.data.quantity * row.data.price;
    }
    const last = rows[rows.length - 1];
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(named(save, [`${last.tx}:${last.global_position}`]));
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    tx = last.tx;
    position = last.global_position;
    total += rows.length;
    return rows.length;
  });
  return sum >= 0 ? total : 0;
}
