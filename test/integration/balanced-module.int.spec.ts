import type { INestApplicationContext } from '@nestjs/common';
import { Injectable } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  DomainEvent,
  EventSourcingModule,
  Projection,
  ProjectionHandler,
  ProjectionManager,
} from 'nestjs-event-sourcing';
import { createTestDatabase, type DatabaseKind } from '../support/test-databases.js';

@DomainEvent('balanced.pinged')
class Pinged {}

function projection(name: string) {
  @Injectable()
  @Projection(name, { pollIntervalMs: 50 })
  class P {
    @ProjectionHandler(Pinged) pinged() {}
  }
  return P;
}
const PROJECTIONS = ['b1', 'b2', 'b3', 'b4'].map(projection);

describe.each<DatabaseKind>(['postgres', 'mariadb'])('module instances on %s', (kind) => {
  it('two instances of the module split four projections two and two; one left: it takes all', async () => {
    const db = await createTestDatabase(kind);
    const apps: INestApplicationContext[] = [];
    const boot = async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          CqrsModule.forRoot(),
          EventSourcingModule.forRoot({ dataSource: db.dataSource, schema: db.schema }),
        ],
        providers: PROJECTIONS,
      }).compile();
      const app = await moduleRef.init();
      apps.push(app);
      return app;
    };
    const owned = async (app: INestApplicationContext) =>
      (await app.get(ProjectionManager).status()).filter((s) => s.isLeaseOwner).length;
    const until = async (what: string, check: () => Promise<boolean>) => {
      const deadline = Date.now() + 40_000;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`${what} did not happen within 40 s`);
        await sleep(100);
      }
    };
    try {
      const first = await boot();
      await until('the first instance holds all four', async () => (await owned(first)) === 4);
      const second = await boot();
      await until(
        'two and two',
        async () => (await owned(first)) === 2 && (await owned(second)) === 2,
      );
      await second.close(); // graceful: its leases and its heartbeat go at once
      apps.pop();
      await until(
        'the first instance holds all four again',
        async () => (await owned(first)) === 4,
      );
      expect(await owned(first)).toBe(4);
    } finally {
      for (const app of apps) await app.close();
      await db.drop();
    }
  }, 90_000);
});
