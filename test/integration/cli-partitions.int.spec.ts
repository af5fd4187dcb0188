import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStore, ProjectionManager } from 'nestjs-event-sourcing';
import { runCli } from '../support/cli-harness.js';
import { POISON_AMOUNT, tallyEvents, talliesModule } from '../support/tallies.projection.js';
import {
  createTestDatabase,
  type DatabaseKind,
  type TestDatabase,
} from '../support/test-databases.js';

describe.each<DatabaseKind>(['sqlite', 'postgres', 'mariadb'])('partitions CLI on %s', (kind) => {
  let db: TestDatabase;
  let app: INestApplicationContext | undefined;
  const cli = () => talliesModule({ dataSource: db.dataSource, schema: db.schema, workers: false });

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    // The application runs the buckets; the CLI, like an operator's, runs beside it.
    const moduleRef = await Test.createTestingModule({
      imports: [talliesModule({ dataSource: db.dataSource, schema: db.schema })],
    }).compile();
    const running = await moduleRef.init();
    app = running;
    const store = running.get(EventStore);
    await store.appendToStream('tally-ok', tallyEvents('ok', [1, 2], true));
    await store.appendToStream('tally-bad', tallyEvents('bad', [1, POISON_AMOUNT, 3], true));
    await running.get(ProjectionManager).waitForCatchUp('tallies', { timeoutMs: 20_000 });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('status says where each bucket runs and how many keys are parked', async () => {
    const run = await runCli(cli(), 'projections', 'status');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^tallies\s+async\s+running\s.*partitioned \(below\)/m);
    expect(run.stdout).toMatch(
      /^tallies: 4 partitions: #0 \S+, #1 \S+, #2 \S+, #3 \S+; 1 parked key \("projections parked tallies"\)$/m,
    );
    expect(run.stdout).not.toMatch(/#\d -/); // every bucket is held by the application
  });

  it('parked lists the key, its event and error', async () => {
    const run = await runCli(cli(), 'projections', 'parked');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^PROJECTION\s+KEY\s+BUCKET\s+EVENT/m);
    expect(run.stdout).toMatch(/^tallies\s+tally-bad\s+\d\s+tally\.added tally-bad v3\s/m);
    expect(run.stdout).toContain('poison amount in tally-bad');
    const json = await runCli(cli(), 'projections', 'parked', 'tallies', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject([{ key: 'tally-bad', attempts: 2 }]);
  });

  it('retry is made by the application holding the bucket: fails again, then catches up after the fix', async () => {
    const again = await runCli(
      cli(),
      'projections',
      'retry',
      'tallies',
      '--partition',
      'tally-bad',
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('failed again and stays parked: poison amount in tally-bad');
    await db.dataSource.query(
      kind === 'postgres'
        ? 'INSERT INTO tally_fixes (stream_id) VALUES ($1)'
        : 'INSERT INTO tally_fixes (stream_id) VALUES (?)',
      ['tally-bad'],
    );
    const fixed = await runCli(
      cli(),
      'projections',
      'retry',
      'tallies',
      '--partition',
      'tally-bad',
    );
    expect(fixed.stderr).toContain('retry requested; waiting for');
    expect([fixed.code, fixed.stdout]).toEqual([0, 'partition "tally-bad" caught up: unparked\n']);
    const [row] = await db.dataSource.query<{ total: unknown; events: unknown }[]>(
      kind === 'postgres'
        ? 'SELECT total, events FROM tallies WHERE stream_id = $1'
        : 'SELECT total, events FROM tallies WHERE stream_id = ?',
      ['tally-bad'],
    );
    expect([Number(row.total), Number(row.events)]).toEqual([1 + POISON_AMOUNT + 3, 4]);
    const unknown = await runCli(cli(), 'projections', 'retry', 'tallies', '--partition', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('projection "tallies" has no parked partition "nope"');
  });

  it('rebuild --partition replays one bucket at a time; a bad bucket is refused', async () => {
    // The CLI runs the buckets itself once the application is gone (an idle worker of a running
    // application notices a reset only at its next commit, i.e. when events arrive).
    await app?.close();
    app = undefined;
    const before = await db.dataSource.query<{ stream_id: string }[]>(
      'SELECT stream_id, total, events FROM tallies ORDER BY stream_id',
    );
    for (const bucket of ['0', '1', '2', '3']) {
      const run = await runCli(cli(), 'projections', 'rebuild', 'tallies', '--partition', bucket);
      expect([run.code, run.stderr.includes('error')]).toEqual([0, false]);
      expect(run.stdout).toContain('projection "tallies" rebuilt');
    }
    const after = await db.dataSource.query<{ stream_id: string }[]>(
      'SELECT stream_id, total, events FROM tallies ORDER BY stream_id',
    );
    expect(after).toEqual(before);
    const bad = await runCli(cli(), 'projections', 'reset', 'tallies', '--partition', '9');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('projection "tallies" has partitions 0 to 3; got 9');
  });
});
