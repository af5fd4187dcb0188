import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import {
  EventSourcingModule,
  getAggregateRepositoryToken,
  ProjectionManager,
  type AggregateRepository,
} from 'nestjs-event-sourcing';
import { Order } from '../../docs/snippets/tour-aggregate.js';
import { OrderSummaryProjection } from '../../docs/snippets/tour-projection.js';

// The README tour's wiring once failed like this: the module's own DataSource knew no entities, and
// the projection failed with TypeORM's "this.subQuery is not a function".
it('a projection writing an entity its DataSource does not know fails saying how to register it', async () => {
  const file = join(tmpdir(), `entities-${randomBytes(4).toString('hex')}.sqlite`);
  @Module({
    imports: [
      CqrsModule.forRoot(),
      EventSourcingModule.forRoot({ type: 'better-sqlite3', database: file }), // no entities
      EventSourcingModule.forFeature([Order]),
    ],
    providers: [OrderSummaryProjection],
  })
  class AppWithoutEntities {}
  const app = await NestFactory.createApplicationContext(AppWithoutEntities, { logger: false });
  try {
    const orders = app.get<AggregateRepository<Order>>(getAggregateRepositoryToken(Order));
    await orders.save(Order.place('42', 10));
    const projections = app.get(ProjectionManager);
    let status = (await projections.status()).find((s) => s.name === 'order_summary');
    for (let i = 0; i < 200 && status?.state !== 'failed'; i++) {
      await sleep(100); // settles within 20 s: 5 attempts with backoff
      status = (await projections.status()).find((s) => s.name === 'order_summary');
    }
    expect(status?.state).toBe('failed');
    expect(status?.lastError).toContain(
      'projection "order_summary" wrote an entity its DataSource does not know',
    );
    expect(status?.lastError).toContain('entities: [YourReadModel]');
  } finally {
    await app.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }
});
