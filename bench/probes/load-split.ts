// Probe (diagnosis, not a benchmark): where an aggregate load's time goes, per-op interleaved: the raw
// loader, the library's exact history SQL on its pool, its decoding, readHistory, repository.load.
// node dist/bench/probes/load-split.js mariadb|postgres <events>
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { performance } from 'node:perf_hooks';
import {
  EventSourcingModule,
  EventStore,
  getAggregateRepositoryToken,
  type AggregateRepository,
  type NewEvent,
} from '../../lib/index.js';
import { decodeHistory } from '../../lib/sql/history-rows.js';
import { openMariadb, openPostgres } from '../aggregate-targets.js';
import { PlainAccount } from '../bench-domain.js';

const which = process.argv[2] ?? 'mariadb';
interface TypeCastField {
  name: string;
  string(): string | null;
}
interface TypeCastPool {
  query(
    options: { sql: string; typeCast: (field: TypeCastField, next: () => unknown) => unknown },
    params: unknown[],
    callback: (error: Error | null, rows: unknown) => void,
  ): void;
}
/** Parses the JSON text columns while the rows arrive (mysql2 calls it per field, per row). */
function parseJsonText(field: TypeCastField, next: () => unknown): unknown {
  if (field.name !== 'data' && field.name !== 'metadata') return next();
  const text = field.string();
  return text === null ? null : (JSON.parse(text) as unknown);
}
const db = which === 'mariadb' ? await openMariadb() : await openPostgres();
@Module({
  imports: [
    CqrsModule.forRoot(),
    EventSourcingModule.forRoot({ dataSource: db.dataSource, schema: db.schema, workers: false }),
    EventSourcingModule.forFeature([PlainAccount]),
  ],
})
class M {}
const app = await NestFactory.createApplicationContext(M, { logger: ['error', 'warn'] });
const repo = app.get<AggregateRepository<PlainAccount>>(getAggregateRepositoryToken(PlainAccount));
const store = app.get(EventStore);
const length = Number(process.argv[3] ?? 1000);
// OTHER=n: other streams of n events in the table, as in the aggregates benchmark.
const other = Number(process.env.OTHER ?? 0);
for (let start = 1; start <= other; start += 1000) {
  const events: NewEvent[] = [];
  for (let g = start; g < start + 1000; g++)
    events.push({ type: 'bench.deposited', data: { accountId: 'o', amount: 1 }, metadata: {} });
  await store.appendToStream('plainacct-o', events, { expectedVersion: start - 1 });
}
for (let start = 1; start <= length; start += 1000) {
  const events: NewEvent[] = [];
  for (let g = start; g < start + 1000; g++)
    events.push({
      type: 'bench.deposited',
      data: { accountId: 'x', amount: (g % 7) + 1, currency: 'EUR', reference: `ref-${g}` },
      metadata: { eventVersion: 1 },
    });
  await store.appendToStream('plainacct-x', events, { expectedVersion: start - 1 });
}
const s = store as unknown as {
  historySql: { events: string };
  query: (sql: string, p: unknown[], o: unknown) => Promise<{ records: Record<string, unknown>[] }>;
  dialect: {
    bind(sql: string): string;
    runPrepared(
      t: unknown,
      sql: string,
      p: unknown[],
    ): Promise<{ records: Record<string, unknown>[] }>;
  };
};
const libSql = s.dialect.bind(s.historySql.events);
console.log(libSql);
if (which === 'mariadb') {
  for (const q of [rawSqlM(), libSql.replace('?', "'plainacct-x'").replace('?', '0')]) {
    const r = await s.dialect.runPrepared(
      db.dataSource,
      `ANALYZE FORMAT=JSON ${q.replace('?', "'plainacct-x'")}`,
      [],
    );
    console.log(q, JSON.stringify(r.records[0]));
  }
}
function rawSqlM() {
  return 'SELECT version, type, data, metadata FROM es_events WHERE stream_id = ? ORDER BY version';
}

const rawSql =
  which === 'mariadb'
    ? 'SELECT version, type, data, metadata FROM es_events WHERE stream_id = ? ORDER BY version'
    : `SELECT version, type, data, metadata FROM "${db.schema}".es_events WHERE stream_id = $1 ORDER BY version`;
const variants: [string, () => Promise<unknown>][] = [
  ['raw fold', () => db.rawLoad('plainacct-x')],
  ['lib pool, raw sql', () => s.dialect.runPrepared(db.dataSource, rawSql, ['plainacct-x'])],
  ['lib pool, lib sql', () => s.dialect.runPrepared(db.dataSource, libSql, ['plainacct-x', 0])],
  [
    'lib pool, lib sql, decode',
    async () =>
      decodeHistory(
        'plainacct-x',
        (await s.dialect.runPrepared(db.dataSource, libSql, ['plainacct-x', 0])).records,
      ),
  ],
  ...(which === 'mariadb'
    ? ([
        [
          'lib sql, JSON parsed in typeCast',
          () => {
            const pool = (db.dataSource.driver as unknown as { pool: TypeCastPool }).pool;
            return new Promise((resolve, reject) =>
              pool.query(
                { sql: libSql, typeCast: parseJsonText },
                ['plainacct-x', 0],
                (error, rows) => (error ? reject(error) : resolve(rows)),
              ),
            );
          },
        ],
      ] as [string, () => Promise<unknown>][])
    : []),
  ['readHistory', () => store.readHistory('plainacct-x')],
  ['repo.load', () => repo.load('x')],
];
if (process.env.CONSEC) {
  // As the benchmark measures: 100 loads of one kind in a row, kinds rotated, 5 rounds; then the
  // garbage each kind makes is collected on its own time.
  const perOp = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  for (let round = 0; round < 5; round++) {
    for (let k = 0; k < variants.length; k++) {
      const [name, f] = variants[(k + round) % variants.length];
      const t = performance.now();
      for (let i = 0; i < 100; i++) await f();
      perOp.get(name)!.push((performance.now() - t) / 100);
    }
  }
  for (const [name, v] of perOp) {
    const sorted = [...v].sort((a, b) => a - b);
    console.log(`consecutive ${name.padEnd(32)} median ${sorted[2].toFixed(2)} ms per load`);
  }
}
const times = new Map<string, number[]>(variants.map(([name]) => [name, []]));
const cpus = new Map<string, number[]>(variants.map(([name]) => [name, []]));
const ops = Math.max(200, Math.round(2_000_000 / length));
for (let i = 0; i < ops; i++) {
  for (const [name, f] of variants) {
    const c = process.cpuUsage();
    const t = performance.now();
    await f();
    const ms = performance.now() - t;
    const u = process.cpuUsage(c);
    times.get(name)!.push(ms);
    cpus.get(name)!.push((u.user + u.system) / 1000);
  }
}
const q = (v: number[], p: number) => [...v].sort((a, b) => a - b)[Math.floor(v.length * p)];
for (const [name] of variants) {
  const t = times.get(name)!;
  const c = cpus.get(name)!;
  console.log(
    `${name.padEnd(28)} wall p10 ${q(t, 0.1).toFixed(2)} p50 ${q(t, 0.5).toFixed(2)} ms; node cpu p50 ${q(c, 0.5).toFixed(2)} ms`,
  );
}
await app.close();
await db.close();
