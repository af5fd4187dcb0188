import type { INestApplicationContext } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventSourcingModule, EventStore, ProjectionManager } from 'nestjs-event-sourcing';
import { captureLogs } from '../support/captured-logs.js';
import { LagProjection } from '../support/lag.projection.js';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js';

describe('MariaDB: a transaction holding the append lock raises the alarm', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let store: EventStore;
  const logs = captureLogs();

  beforeAll(async () => {
    db = await createTestDatabase('mariadb');
    const moduleRef = await Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        EventSourcingModule.forRoot({ dataSource: db.dataSource, heldBackWarningMs: 400 }),
      ],
      providers: [LagProjection],
    })
      .setLogger(logs.logger)
      .compile();
    app = await moduleRef.init();
    store = app.get(EventStore);
    await app.get(ProjectionManager).waitForCatchUp('lag_probe', { timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    logs.restore();
  });

  it('names the thread that appended and stays open, once, and says when it clears', async () => {
    const runner = db.dataSource.createQueryRunner();
    await runner.startTransaction();
    let open = true;
    try {
      await store.appendToStream(
        `held-${randomUUID()}`,
        [{ type: 'ops.pinged', data: { id: 'x' } }],
        {
          manager: runner.manager,
        },
      );
      const [{ thread }] = (await runner.query('SELECT CONNECTION_ID() AS thread')) as {
        thread: number;
      }[];
      await sleep(1_300);
      const warnings = logs.lines.filter(
        (l) => l.level === 'warn' && l.message.includes('held back'),
      );
      expect(warnings).toHaveLength(1);
      expect(warnings[0].message).toMatch(
        new RegExp(
          `^readers of the event log held back for \\d+ ms \\(workers projection lag_probe see no ` +
            `event committed after it until it ends\\) by thread ${thread} \\(transaction \\d+, ` +
            `user root@.*which holds the append lock; commit or roll it back \\(KILL ${thread} ends it\\)$`,
        ),
      );
      expect((await app.get(ProjectionManager).status())[0].heldBackMs).toBeGreaterThanOrEqual(
        1_000,
      );
      await runner.commitTransaction();
      open = false;
      const since = Date.now();
      let cleared = logs.lines.filter((l) => l.message.includes('no longer held back'));
      while (cleared.length === 0 && Date.now() - since < 5_000) {
        await sleep(20);
        cleared = logs.lines.filter((l) => l.message.includes('no longer held back'));
      }
      expect(cleared).toHaveLength(1);
      expect(cleared[0].message).toMatch(
        new RegExp(
          `^readers of the event log are no longer held back by thread ${thread} \\(transaction \\d+\\); they were held back for \\d+ ms$`,
        ),
      );
    } finally {
      if (open) await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
