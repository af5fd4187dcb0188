import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/** Every count is multiplied by BENCH_SCALE (default 1): `BENCH_SCALE=0.2` for a quick smoke run. */
export const SCALE = parseScale(process.env.BENCH_SCALE);

export const POSTGRES_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const MARIADB_URL = process.env.MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/test';

/** Connections per pool: enough for 16 concurrent writers plus a spare. */
export const POOL_SIZE = 20;

function parseScale(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 1;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`BENCH_SCALE must be a positive number, got "${raw}"`);
  }
  return value;
}

export function scaled(count: number, minimum = 1): number {
  return Math.max(minimum, Math.round(count * SCALE));
}

/** A fresh schema / database name for one run, so runs and tests never see each other's rows. */
export function benchName(): string {
  return `bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

const interruptCleanups = new Set<() => Promise<void>>();
let interruptHandled = false;

/**
 * Runs `cleanup` (dropping a run's schema or database) if the process is interrupted with Ctrl-C
 * or SIGTERM before the returned release function is called. A second Ctrl-C exits at once.
 */
export function cleanupOnInterrupt(cleanup: () => Promise<void>): () => void {
  if (!interruptHandled) {
    interruptHandled = true;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        console.error(`\n${signal}: dropping this run's schema and databases, then exiting`);
        // Connections still in use die with what they were doing; that is expected now.
        process.on('uncaughtException', () => {});
        process.on('unhandledRejection', () => {});
        void Promise.allSettled([...interruptCleanups].map((c) => c())).then(() =>
          process.exit(130),
        );
      });
    }
  }
  interruptCleanups.add(cleanup);
  return () => interruptCleanups.delete(cleanup);
}

/** The event every implementation writes: a typical small domain event with metadata. */
export interface BenchEvent {
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

const SAMPLE_DATA = {
  orderId: 'a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b',
  customerId: 'customer-4711',
  currency: 'EUR',
  total: 129.5,
  lines: [
    { sku: 'SKU-1001', quantity: 2, price: 19.75 },
    { sku: 'SKU-2002', quantity: 1, price: 90 },
  ],
};
const SAMPLE_METADATA = {
  correlationId: '0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
  causationId: '1a2b3c4d-5e6f-4a0b-9c8d-7e6f5a4b3c2d',
};

export function sampleEvents(count: number): BenchEvent[] {
  return Array.from({ length: count }, () => ({
    type: 'order.placed',
    data: SAMPLE_DATA,
    metadata: SAMPLE_METADATA,
  }));
}

/**
 * Runs `total` operations with `workers` concurrent loops (each awaits its own operation before
 * taking the next index) and returns the elapsed milliseconds.
 */
export async function timeOps(
  total: number,
  workers: number,
  op: (index: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(workers, total) }, async () => {
      for (let i = next++; i < total; i = next++) await op(i);
    }),
  );
  return performance.now() - start;
}

export interface Measurement {
  scenario: string;
  impl: string;
  /** Operations done (appends, stream reads, pages). */
  ops: number;
  events: number;
  /** The time the rates are computed from: the median round's time per event, times `events`. */
  ms: number;
  /** Wall time of all rounds together. */
  totalMs?: number;
  /** Events per second of each round, fastest first, to show how noisy the run was. */
  roundRates?: number[];
  /** The same, in round order: the ratio of two implementations is taken round by round. */
  roundRatesInOrder?: number[];
  note?: string;
}

export function perSecond(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : 0;
}

function formatRate(value: number | undefined): string {
  if (value === undefined) return 'n/a';
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(1);
}

function formatRatio(a: number | undefined, b: number | undefined): string {
  if (!a || !b) return 'n/a';
  return `${(a / b).toFixed(2)}x`;
}

/** Which rate a scenario is reported in, and which ratios its final line shows. */
export interface ScenarioSpec {
  name: string;
  /** Rows of the table: label and how to compute the rate from a measurement. */
  rates: { unit: string; rate: (m: Measurement) => number }[];
  /** `[numerator, denominator, label]`, for example `['lib', 'raw', 'lib/raw-autocommit']`. */
  ratios: [string, string, string][];
}

/** Collects the measurements of one database and prints its table and ratio lines. */
export class Report {
  private readonly measurements: Measurement[] = [];

  constructor(
    /** Short name that starts each ratio line: postgres, mariadb. */
    readonly database: string,
    /** Heading of the table, with the server version. */
    readonly title: string,
    readonly impls: string[],
    private readonly specs: ScenarioSpec[],
  ) {}

  add(m: Measurement): void {
    this.measurements.push(m);
    const spec = this.spec(m.scenario);
    const rates = spec.rates.map((r) => `${formatRate(r.rate(m))} ${r.unit}`).join(', ');
    const seconds = ((m.totalMs ?? m.ms) / 1000).toFixed(2);
    const rounds = m.roundRates?.length
      ? `; ${m.roundRates.length} rounds, median shown, from ${formatRate(m.roundRates.at(-1))} to ${formatRate(m.roundRates[0])} events/s`
      : '';
    console.log(
      `  ${this.database} ${m.scenario} ${m.impl}: ${rates} (${m.ops} ops, ${m.events} events in ${seconds}s${rounds})` +
        (m.note ? ` [${m.note}]` : ''),
    );
  }

  private spec(name: string): ScenarioSpec {
    const spec = this.specs.find((s) => s.name === name);
    if (!spec) throw new Error(`unknown scenario ${name}`);
    return spec;
  }

  private rate(scenario: string, impl: string, unitIndex = 0): number | undefined {
    const m = this.measurements.find((x) => x.scenario === scenario && x.impl === impl);
    return m ? this.spec(scenario).rates[unitIndex].rate(m) : undefined;
  }

  printTable(): void {
    const header = ['scenario', 'unit', ...this.impls];
    const rows: string[][] = [];
    for (const spec of this.specs) {
      spec.rates.forEach((r, i) => {
        rows.push([
          spec.name,
          r.unit,
          ...this.impls.map((impl) => formatRate(this.rate(spec.name, impl, i))),
        ]);
      });
    }
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
    const line = (cells: string[]) =>
      cells
        .map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
        .join('  ');
    console.log(`\n${this.title}`);
    console.log(line(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const row of rows) console.log(line(row));
    const notes = this.measurements.filter((m) => m.note);
    for (const m of notes) console.log(`note: ${m.scenario} ${m.impl}: ${m.note}`);
  }

  /** `(min-max)` of the round-by-round ratios of two implementations, when both ran in rounds. */
  private ratioRange(scenario: string, a: string, b: string): string {
    const find = (impl: string) =>
      this.measurements.find((x) => x.scenario === scenario && x.impl === impl)?.roundRatesInOrder;
    const ra = find(a);
    const rb = find(b);
    if (!ra || !rb || ra.length !== rb.length || ra.length < 2) return '';
    const ratios = ra.map((r, i) => r / rb[i]).sort((x, y) => x - y);
    return ` (rounds ${ratios[0].toFixed(2)}-${ratios[ratios.length - 1].toFixed(2)})`;
  }

  ratioLines(): string[] {
    return this.specs.map((spec) => {
      const parts = spec.ratios.map(
        ([a, b, label]) =>
          `${label} ${formatRatio(this.rate(spec.name, a), this.rate(spec.name, b))}` +
          this.ratioRange(spec.name, a, b),
      );
      return `${this.database} ${spec.name}: ${parts.join(', ')}`;
    });
  }
}
