import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStore, SagaManager } from 'nestjs-event-sourcing';
import { runCli } from '../support/cli-harness.js';
import { SagaProbe, TASK_SAGA, sagaTestModule } from '../support/saga.domain.js';
import {
  createTestDatabase,
  type DatabaseKind,
  type TestDatabase,
} from '../support/test-databases.js';

/** The CLI's module: no workers, and (after the "fix") a saga that no longer throws. */
function cliModule(db: TestDatabase, fixed: boolean): DynamicModule {
  const module = sagaTestModule({ dataSource: db.dataSource, schema: db.schema, workers: false });
  const probe = Object.assign(new SagaProbe(), { poisonThrows: !fixed });
  return {
    ...module,
    providers: (module.providers ?? []).map((p) =>
      p === SagaProbe ? { provide: SagaProbe, useValue: probe } : p,
    ),
  };
}

describe.each<DatabaseKind>(['sqlite', 'postgres', 'mariadb'])('sagas CLI on %s', (kind) => {
  let db: TestDatabase;
  let app: INestApplicationContext;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const moduleRef = await Test.createTestingModule({
      imports: [sagaTestModule({ dataSource: db.dataSource, schema: db.schema })],
    }).compile();
    app = await moduleRef.init();
    const store = app.get(EventStore);
    for (const [i, poison] of [false, true, false].entries()) {
      await store.appendToStream(`task-cli.${i}`, [
        { type: 'saga_test.task_requested', data: { taskId: `cli.${i}`, tallyId: 'cli', poison } },
      ]);
    }
    await app.get(SagaManager).waitForCatchUp(TASK_SAGA, { timeoutMs: 20_000 });
    await app.close();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('status lists the saga and the event it parked, with the error', async () => {
    const run = await runCli(cliModule(db, false), 'sagas', 'status');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^NAME\s+KIND\s+STATE/m);
    expect(run.stdout).toMatch(
      new RegExp(`^${TASK_SAGA}\\s+durable\\s+\\S+\\s+\\d+\\s+\\d+\\s+\\d+\\s+1\\s`, 'm'),
    );
    expect(run.stdout).toContain('parked events:');
    expect(run.stdout).toContain('poison task cli.1');
  });

  it('retry fails again (exit 1) while the bug is there, and succeeds after the fix', async () => {
    const again = await runCli(cliModule(db, false), 'sagas', 'retry', TASK_SAGA);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('failed again: poison task cli.1');
    const fixed = await runCli(cliModule(db, true), 'sagas', 'retry', TASK_SAGA);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/retried \S+: succeeded/);
    const status = await runCli(cliModule(db, true), 'sagas', 'status', '--json');
    expect(JSON.parse(status.stdout)[0].parked).toEqual([]);
  });

  it('discard refuses without --yes', async () => {
    const run = await runCli(cliModule(db, true), 'sagas', 'discard', TASK_SAGA, 'some-event');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('add --yes');
  });
});
