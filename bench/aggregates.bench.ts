// Loading and saving aggregates through the repository of a Nest application context, on
// PostgreSQL and MariaDB, against the bare drivers folding the same rows.
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import {
  EventSourcingModule,
  EventStore,
  getAggregateRepositoryToken,
  SnapshotStore,
  type AggregateRepository,
  type NewEvent,
} from '../lib/index.js';
import {
  openMariadb,
  openPostgres,
  type AccountState,
  type AggregateDb,
} from './aggregate-targets.js';
import { BenchAccount, PlainAccount, SnapshottedAccount } from './bench-domain.js';
import { perSecond, Report, scaled, timeOps, type Measurement } from './harness.js';
import { named } from './pg-common.js';
import { compare, ROUNDS } from './scenarios.js';

const LENGTHS = [1000, 10_000] as const;
/** How far the latest snapshot is behind the head: the average for snapshotEvery 100. */
const SNAPSHOT_LAG = 50;

interface LoadTarget {
  /** raw, raw-snap, lib, lib-snap */
  name: string;
  load: (length: number) => Promise<AccountState>;
}

interface SaveTarget {
  name: string;
  /** Saves one new event; resolves when it is committed. */
  save: (n: number) => Promise<unknown>;
}

const loadRates = [
  { unit: 'loads/s', rate: (m: Measurement) => perSecond(m.ops, m.ms) },
  { unit: 'events/s', rate: (m: Measurement) => perSecond(m.events, m.ms) },
];
const loadRatios: [string, string, string][] = [
  ['lib', 'raw', 'lib/raw'],
  ['lib-snap', 'raw', 'lib-snap/raw'],
  ['lib-snap', 'raw-snap', 'lib-snap/raw-snap'],
];

export const AGGREGATE_LEGEND = `aggregates columns (PostgreSQL and MariaDB, one Nest application context each, workers off):
  raw       the bare driver (pg: a named prepared statement; mysql2): SELECT version, type, data,
            metadata FROM events WHERE stream_id = ? ORDER BY version, the JSON decoded, a plain
            loop checking type, schema version and version order and summing the balance (the
            same state the aggregate computes)
  raw-snap  the same driver, one statement: the snapshot row, then the events after it, folded the same way
  lib       AggregateRepository.load of an aggregate without snapshots (@Aggregate('plainacct'))
  lib-snap  AggregateRepository.load of an aggregate with @Aggregate('snapacct', { snapshotEvery: 100 }),
            its latest snapshot ${SNAPSHOT_LAG} events behind the head (the average distance)
  save-1    (PostgreSQL) one new event on a loaded aggregate: repository.save (expected version checked,
            EventBus publish, snapshot upsert every 100th save for lib-snap) vs one prepared INSERT (raw)
loads/s: whole aggregates rebuilt per second; events/s: loads/s times the stream length`;

/** A report per database, printed one after the other. */
class AggregateReports {
  constructor(readonly reports: Report[]) {}
  printTable(): void {
    for (const r of this.reports) r.printTable();
  }
  ratioLines(): string[] {
    return this.reports.flatMap((r) => r.ratioLines());
  }
}

export async function runAggregates(): Promise<AggregateReports> {
  const reports: Report[] = [];
  for (const open of [openPostgres, openMariadb]) {
    const db = await open();
    try {
      reports.push(await runOn(db));
    } finally {
      await db.close();
    }
  }
  return new AggregateReports(reports);
}

/** Loads a 1000- and a 10,000-event aggregate, with and without snapshots (and saves on PostgreSQL). */
async function runOn(db: AggregateDb): Promise<Report> {
  @Module({
    imports: [
      CqrsModule.forRoot(),
      EventSourcingModule.forRoot({ dataSource: db.dataSource, schema: db.schema, workers: false }),
      EventSourcingModule.forFeature([PlainAccount, SnapshottedAccount]),
    ],
  })
  class AggregatesBenchModule {}
  const app = await NestFactory.createApplicationContext(AggregatesBenchModule, {
    logger: ['error', 'warn'],
  });
  db.onClose(() => app.close());
  const plain = app.get<AggregateRepository<PlainAccount>>(
    getAggregateRepositoryToken(PlainAccount),
  );
  const snapped = app.get<AggregateRepository<SnapshottedAccount>>(
    getAggregateRepositoryToken(SnapshottedAccount),
  );
  const snapshots = app.get(SnapshotStore);
  const store = app.get(EventStore);

  /** Writes events `from`..`to` of an account stream in the library's format, 1000 per append. */
  const seed = async (category: string, id: string, from: number, to: number) => {
    for (let start = from; start <= to; start += 1000) {
      const events: NewEvent[] = [];
      for (let g = start; g <= Math.min(to, start + 999); g++) {
        events.push({
          type: 'bench.deposited',
          data: { accountId: id, amount: (g % 7) + 1, currency: 'EUR', reference: `ref-${g}` },
          metadata: { eventVersion: 1 },
        });
      }
      await store.appendToStream(`${category}-${id}`, events, { expectedVersion: start - 1 });
    }
  };
  const loadId = (length: number) => `l${length}`;
  for (const length of LENGTHS) {
    const id = loadId(length);
    await seed('plainacct', id, 1, length);
    // The snapshotted stream: a snapshot SNAPSHOT_LAG events behind the head.
    await seed('snapacct', id, 1, length - SNAPSHOT_LAG);
    const atSnapshot = await snapped.load(id);
    await snapshots.save({
      streamId: `snapacct-${id}`,
      version: atSnapshot.version,
      revision: 1,
      state: atSnapshot.toSnapshot(),
    });
    await seed('snapacct', id, length - SNAPSHOT_LAG + 1, length);
  }

  const stateOf = (a: BenchAccount): AccountState => ({ balance: a.balance, deposits: a.deposits });
  const loaders: LoadTarget[] = [
    { name: 'raw', load: (length) => db.rawLoad(`plainacct-${loadId(length)}`) },
    { name: 'raw-snap', load: (length) => db.rawSnapLoad(`snapacct-${loadId(length)}`) },
    { name: 'lib', load: async (length) => stateOf(await plain.load(loadId(length))) },
    { name: 'lib-snap', load: async (length) => stateOf(await snapped.load(loadId(length))) },
  ];

  const report = new Report(
    `${db.name} aggregates`,
    `${db.title}: aggregates through a Nest application context`,
    ['raw', 'raw-snap', 'lib', 'lib-snap'],
    [
      ...LENGTHS.map((length) => ({
        name: `load-${length}`,
        rates: loadRates,
        ratios: loadRatios,
      })),
      ...(db.pgPool
        ? [
            {
              name: 'save-1',
              rates: [{ unit: 'saves/s', rate: (m: Measurement) => perSecond(m.ops, m.ms) }],
              ratios: [
                ['lib', 'raw', 'lib/raw'],
                ['lib-snap', 'raw', 'lib-snap/raw'],
              ] as [string, string, string][],
            },
          ]
        : []),
    ],
  );

  for (const length of LENGTHS) {
    // Every implementation must rebuild the same state, or the comparison means nothing.
    const expected = JSON.stringify(await loaders[0].load(length));
    for (const t of loaders) {
      const got = JSON.stringify(await t.load(length));
      if (got !== expected) {
        throw new Error(`${t.name} loaded ${got} from ${length} events, raw ${expected}`);
      }
      await timeOps(scaled(length === 1000 ? 20 : 4, 2), 1, () => t.load(length));
    }
    const perRound = Math.ceil(scaled(length === 1000 ? 400 : 60, ROUNDS) / ROUNDS);
    await compare(report, `load-${length}`, loaders, async (t) => {
      const ms = await timeOps(perRound, 1, () => t.load(length));
      return { ops: perRound, events: perRound * length, ms };
    });
  }
  if (db.pgPool) await runSaves(db.pgPool, `"${db.schema}"`, report, seed, plain, snapped);
  return report;
}

/** Saves: one new event on an aggregate loaded once (1000 events, as a long-lived aggregate). */
async function runSaves(
  pool: pg.Pool,
  schema: string,
  report: Report,
  seed: (category: string, id: string, from: number, to: number) => Promise<void>,
  plain: AggregateRepository<PlainAccount>,
  snapped: AggregateRepository<SnapshottedAccount>,
): Promise<void> {
  const events = `${schema}."es_events"`;
  const snapshotTable = `${schema}."es_snapshots"`;
  await seed('plainacct', 'save', 1, 1000);
  await seed('snapacct', 'save', 1, 1000);
  const plainAccount = await plain.load('save');
  const snappedAccount = await snapped.load('save');
  let rawVersion = 1000;
  await seed('plainacct', 'rawsave', 1, rawVersion);
  const rawSave = (n: number) => {
    const data = { accountId: 'rawsave', amount: 5, currency: 'EUR', reference: `save-${n}` };
    return pool.query(
      named(
        `INSERT INTO ${events} (stream_id, category, version, event_id, type, data, metadata) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          'plainacct-rawsave',
          'plainacct',
          ++rawVersion,
          uuidv7(),
          'bench.deposited',
          JSON.stringify(data),
          JSON.stringify({ eventVersion: 1 }),
        ],
      ),
    );
  };
  const savers: SaveTarget[] = [
    { name: 'raw', save: rawSave },
    {
      name: 'lib',
      save: (n) => {
        plainAccount.deposit(5, `save-${n}`);
        return plain.save(plainAccount);
      },
    },
    {
      name: 'lib-snap',
      save: (n) => {
        snappedAccount.deposit(5, `save-${n}`);
        return snapped.save(snappedAccount);
      },
    },
  ];
  let n = 0;
  for (const t of savers) await timeOps(scaled(100, 10), 1, () => t.save(n++));
  const perRound = Math.ceil(scaled(2000, 40) / ROUNDS);
  await compare(report, 'save-1', savers, async (t) => {
    const ms = await timeOps(perRound, 1, () => t.save(n++));
    return { ops: perRound, events: perRound, ms };
  });
  await checkSaves(pool, events, snapshotTable, plainAccount, snappedAccount);
}

/** The saved aggregates are where the streams say, and the snapshotted one was snapshotted. */
async function checkSaves(
  pool: pg.Pool,
  events: string,
  snapshotTable: string,
  plainAccount: PlainAccount,
  snappedAccount: SnapshottedAccount,
): Promise<void> {
  const versions = await pool.query<{ stream_id: string; v: number }>(
    `SELECT stream_id, MAX(version) AS v FROM ${events} WHERE stream_id IN ('plainacct-save', 'snapacct-save') GROUP BY stream_id`,
  );
  const byStream = new Map(versions.rows.map((r) => [r.stream_id, Number(r.v)]));
  const snapshot = await pool.query<{ version: number }>(
    `SELECT version FROM ${snapshotTable} WHERE stream_id = 'snapacct-save'`,
  );
  const snapshotVersion = snapshot.rows[0]?.version;
  if (
    byStream.get('plainacct-save') !== plainAccount.version ||
    byStream.get('snapacct-save') !== snappedAccount.version ||
    snapshotVersion === undefined ||
    snappedAccount.version - snapshotVersion >= 100
  ) {
    throw new Error(
      `saves went wrong: streams ${JSON.stringify([...byStream])}, aggregates ${plainAccount.version} and ${snappedAccount.version}, snapshot ${snapshotVersion}`,
    );
  }
}
