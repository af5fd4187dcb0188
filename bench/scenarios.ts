import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  perSecond,
  sampleEvents,
  scaled,
  timeOps,
  type BenchEvent,
  type Measurement,
  type Report,
  type ScenarioSpec,
} from './harness.js';

/** One implementation under test. What it cannot do it leaves out, and its cell reads n/a. */
export interface Target {
  /** Column in the report: raw, raw-tx, lib, emmett. */
  name: string;
  /**
   * Appends the events to the stream in one atomic write. `firstVersion` is the version the first
   * event gets: raw writers use it, event stores work it out themselves.
   */
  append?: (streamId: string, events: BenchEvent[], firstVersion: number) => Promise<unknown>;
  /** Reads a whole stream, oldest first; returns the number of events read. */
  readStream?: (streamId: string) => Promise<number>;
  /**
   * Reads the global log from its start in pages of `pageSize` until `limit` events are read or
   * the readable end is reached; returns the number of events read.
   */
  readLog?: (limit: number, pageSize: number) => Promise<number>;
}

/** How long a log reader waits for new events (a held-back horizon) before it gives up on the rest. */
export const READ_PATIENCE_MS = 10_000;

/**
 * Pages through a log until `limit` events are read. A short or empty page is not the end (the
 * read horizon may be held back by a transaction elsewhere): the loop goes on, and gives up only
 * when nothing new has shown up for READ_PATIENCE_MS. `next(max)` reads the page after the last
 * one it read and returns how many events it got.
 */
export async function pageThrough(
  limit: number,
  pageSize: number,
  next: (max: number) => Promise<number>,
): Promise<number> {
  let read = 0;
  let idleSince: number | undefined;
  while (read < limit) {
    const got = await next(Math.min(pageSize, limit - read));
    read += got;
    if (got > 0) {
      idleSince = undefined;
      continue;
    }
    idleSince ??= performance.now();
    if (performance.now() - idleSince > READ_PATIENCE_MS) break;
    await sleep(5);
  }
  return read;
}

export const WRITERS = 16;
export const PAGE_SIZE = 1000;
const STREAM_LENGTH = 1000;
/** Each scenario runs in this many rounds, the targets rotated between rounds. */
export const ROUNDS = 4;

const appendRate = { unit: 'events/s', rate: (m: Measurement) => perSecond(m.events, m.ms) };
const appendRatios: [string, string, string][] = [
  ['lib', 'raw', 'lib/raw-autocommit'],
  ['lib', 'raw-tx', 'lib/raw-tx'],
  ['lib', 'raw-lossless', 'lib/raw-lossless'],
  ['raw-lossless', 'raw', 'raw-lossless/raw-autocommit'],
  ['lib', 'emmett', 'lib/emmett'],
];
const readRatios: [string, string, string][] = [
  ['lib', 'raw', 'lib/raw'],
  ['lib', 'emmett', 'lib/emmett'],
];

/** The scenarios in report order, with the ratios against the columns that database has. */
export function scenarioSpecs(database: 'postgres' | 'mariadb'): ScenarioSpec[] {
  const columns =
    database === 'postgres'
      ? ['raw', 'raw-tx', 'lib', 'emmett']
      : ['raw', 'raw-tx', 'raw-lossless', 'lib'];
  const keep = (ratios: [string, string, string][]) =>
    ratios.filter(([a, b]) => columns.includes(a) && columns.includes(b));
  return [
    { name: 'append-1/1-writer', rates: [appendRate], ratios: keep(appendRatios) },
    { name: `append-1/${WRITERS}-writers`, rates: [appendRate], ratios: keep(appendRatios) },
    { name: 'append-100/1-writer', rates: [appendRate], ratios: keep(appendRatios) },
    {
      name: `read-stream-${STREAM_LENGTH}`,
      rates: [
        { unit: 'reads/s', rate: (m) => perSecond(m.ops, m.ms) },
        { unit: 'events/s', rate: (m) => perSecond(m.events, m.ms) },
      ],
      ratios: keep(readRatios),
    },
    {
      name: `read-all/page-${PAGE_SIZE}`,
      rates: [{ unit: 'events/s', rate: (m) => perSecond(m.events, m.ms) }],
      ratios: keep(readRatios),
    },
  ];
}

/** What one target did in one round of a scenario. */
export interface Work {
  ops: number;
  events: number;
  ms: number;
  note?: string;
}

/**
 * Measures a scenario in ROUNDS rounds; each round runs every target once, in an order rotated
 * from round to round, so a noisy neighbour or a checkpoint hurts every target alike. The rate
 * reported is the median round's, so one disturbed round does not decide the result.
 */
export async function compare<T extends { name: string }>(
  report: Report,
  scenario: string,
  targets: T[],
  run: (target: T, round: number) => Promise<Work>,
): Promise<void> {
  const rounds = new Map<string, Work[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(i + round) % targets.length];
      rounds.get(target.name)!.push(await run(target, round));
    }
  }
  for (const t of targets) {
    const works = rounds.get(t.name)!;
    const sum = (f: (w: Work) => number) => works.reduce((total, w) => total + f(w), 0);
    const events = sum((w) => w.events);
    const msPerEvent = works.map((w) => w.ms / Math.max(1, w.events)).sort((a, b) => a - b);
    const mid = msPerEvent.length / 2;
    const median =
      msPerEvent.length % 2
        ? msPerEvent[Math.floor(mid)]
        : (msPerEvent[mid - 1] + msPerEvent[mid]) / 2;
    report.add({
      scenario,
      impl: t.name,
      ops: sum((w) => w.ops),
      events,
      ms: median * events,
      totalMs: sum((w) => w.ms),
      roundRates: msPerEvent.map((ms) => 1000 / ms),
      roundRatesInOrder: works.map((w) => (1000 * Math.max(1, w.events)) / w.ms),
      note: works.find((w) => w.note)?.note,
    });
  }
}

/** Runs every scenario against every target that supports it, recording into the report. */
export async function runScenarios(report: Report, targets: Target[]): Promise<void> {
  const appended = new Map<string, number>(targets.map((t) => [t.name, 0]));
  const append = async (t: Target, streamId: string, events: BenchEvent[], firstVersion = 1) => {
    await t.append!(streamId, events, firstVersion);
    appended.set(t.name, appended.get(t.name)! + events.length);
  };
  const writers = targets.filter((t) => t.append);
  const readers = targets.filter((t) => t.readStream);
  const logReaders = targets.filter((t) => t.readLog);
  const one = sampleEvents(1);
  const hundred = sampleEvents(100);

  // Append one event to a new stream, one writer, then WRITERS concurrent writers.
  for (const workers of [1, WRITERS]) {
    const scenario = workers === 1 ? 'append-1/1-writer' : `append-1/${WRITERS}-writers`;
    const tag = `a${workers}`;
    const perRound = Math.ceil(scaled(3000, 50) / ROUNDS);
    for (const t of writers) {
      await timeOps(scaled(300, 20), workers, (i) => append(t, `order-${tag}w-${i}`, one));
    }
    await compare(report, scenario, writers, async (t, round) => {
      const ms = await timeOps(perRound, workers, (i) =>
        append(t, `order-${tag}-${round}-${i}`, one),
      );
      return { ops: perRound, events: perRound, ms };
    });
  }

  // Append 100 events at once to a new stream.
  {
    const perRound = Math.ceil(scaled(200, 8) / ROUNDS);
    for (const t of writers) {
      await timeOps(scaled(10, 2), 1, (i) => append(t, `order-hw-${i}`, hundred));
    }
    await compare(report, 'append-100/1-writer', writers, async (t, round) => {
      const ms = await timeOps(perRound, 1, (i) => append(t, `order-h-${round}-${i}`, hundred));
      return { ops: perRound, events: perRound * 100, ms };
    });
  }

  // What the reads need: a long stream in every reader and at least `limit` events in every log.
  const streamId = 'order-long-1';
  const limit = scaled(20000, 2 * PAGE_SIZE);
  for (const t of writers) {
    if (t.readStream) {
      for (let v = 1; v <= STREAM_LENGTH; v += 100) await append(t, streamId, hundred, v);
    }
    for (let n = 0; t.readLog && appended.get(t.name)! < limit; n++) {
      await append(t, `order-fill-${n}`, hundred);
    }
  }

  // Read one stream of STREAM_LENGTH events, whole, again and again.
  {
    const perRound = Math.ceil(scaled(200, 8) / ROUNDS);
    for (const t of readers) {
      const check = await t.readStream!(streamId);
      if (check !== STREAM_LENGTH) {
        throw new Error(`${t.name} read ${check} events of ${streamId}, expected ${STREAM_LENGTH}`);
      }
      await timeOps(scaled(10, 2), 1, () => t.readStream!(streamId));
    }
    await compare(report, `read-stream-${STREAM_LENGTH}`, readers, async (t) => {
      const ms = await timeOps(perRound, 1, () => t.readStream!(streamId));
      return { ops: perRound, events: perRound * STREAM_LENGTH, ms };
    });
  }

  // Read the global log from its start in pages, one pass per round over `limit` events.
  {
    for (const t of logReaders) await t.readLog!(limit, PAGE_SIZE);
    await compare(report, `read-all/page-${PAGE_SIZE}`, logReaders, async (t) => {
      let read = 0;
      const ms = await timeOps(1, 1, async () => {
        read = await t.readLog!(limit, PAGE_SIZE);
      });
      const note =
        read < limit
          ? `only ${read} of ${limit} events were readable (an open transaction elsewhere on the server holds back the log's visibility horizon)`
          : undefined;
      return { ops: Math.ceil(read / PAGE_SIZE), events: read, ms, note };
    });
  }
}
