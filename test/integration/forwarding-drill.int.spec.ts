import type { INestMicroservice } from '@nestjs/common';
import { connect as amqpConnect } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { TypeOrmEventStore } from 'nestjs-event-sourcing';
import { DrillChildren } from '../support/child-process.js';
import type { ForwarderChildConfig } from '../support/forwarder-child.js';
import { APPLIED_TABLE, appliedTableSql, startConsumer } from '../support/forwarding-consumer.js';
import { createTestDatabase, type DatabaseKind } from '../support/test-databases.js';

const RABBIT = 'amqp://guest:guest@127.0.0.1:5672';
const NATS = 'nats://127.0.0.1:4222';
const STREAMS = 8;
const PER_STREAM = 40;
const TOTAL = STREAMS * PER_STREAM;

const children = new DrillChildren();
afterAll(() => children.removeAll());

const cases = [
  ['postgres', 'rmq'],
  ['postgres', 'nats'],
  ['mariadb', 'rmq'],
  ['mariadb', 'nats'],
  ['sqlite', 'rmq'],
] as const;

describe.each(cases)('forwarding drill on %s through %s', (kind: DatabaseKind, transport) => {
  it('SIGKILLed forwarder and a cut broker connection: every event delivered, applied once, in order', async () => {
    const db = await createTestDatabase(kind);
    const id = randomBytes(4).toString('hex');
    const queue = `drill-${id}`;
    const pattern = `drill.${id}`;
    // In a process of its own: a test process blocked on SQLite's write lock must not stall it.
    const proxy = await children.start('test/support/tcp-proxy-child.ts', {
      host: '127.0.0.1',
      port: transport === 'rmq' ? 5672 : 4222,
    });
    await proxy.printed('listening on ');
    const proxyPort = Number(/listening on (\d+)/.exec(proxy.output())![1]);
    const deliveries: string[] = [];
    let consumer: INestMicroservice | undefined;
    try {
      const store = new TypeOrmEventStore(db.dataSource, { schema: db.schema });
      await store.migrate();
      await db.dataSource.query(appliedTableSql(kind));
      consumer = await startConsumer({
        kind,
        dataSource: db.dataSource,
        schema: db.schema,
        transport,
        url: transport === 'rmq' ? RABBIT : NATS,
        queue,
        pattern,
        deliveries,
      });
      const applied = async () =>
        Number(
          (
            await db.dataSource.query<{ c: unknown }[]>(
              `SELECT COUNT(*) AS c FROM ${APPLIED_TABLE}`,
            )
          )[0].c,
        );
      const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 60_000) => {
        const deadline = Date.now() + timeoutMs;
        while (!(await check())) {
          if (Date.now() > deadline)
            throw new Error(`${what} did not happen within ${timeoutMs} ms`);
          await sleep(50);
        }
      };

      const eventIds: string[] = [];
      const write = async (from: number, to: number) => {
        for (let v = from; v <= to; v++) {
          for (let s = 0; s < STREAMS; s++) {
            const result = await store.appendToStream(`drill-${s}`, [
              { type: 'drill.happened', data: { n: v }, metadata: { correlationId: `c-${s}` } },
            ]);
            eventIds.push(result.events[0].eventId);
          }
          await sleep(10);
        }
      };
      // The first half before the outage, the second half during it (so the forwarder has
      // something to publish while the broker is unreachable).
      const firstHalf = write(1, PER_STREAM / 2);

      const childConfig: ForwarderChildConfig = {
        options: db.options,
        schema: db.schema,
        transport,
        url:
          transport === 'rmq'
            ? `amqp://guest:guest@127.0.0.1:${proxyPort}`
            : `nats://127.0.0.1:${proxyPort}`,
        queue,
        pattern,
        name: `drill-${id}`,
        batchSize: 10,
      };
      const first = await children.start('test/support/forwarder-child.ts', childConfig);
      await until('60 applied', async () => (await applied()) >= 60).catch((error: Error) => {
        throw new Error(`${error.message}; forwarder output:\n${first.output()}`);
      });
      await first.kill(); // mid-stream: a batch may be published but not checkpointed

      const second = await children.start('test/support/forwarder-child.ts', childConfig);
      await until('140 applied', async () => (await applied()) >= 140);
      const cutAt = Date.now();
      proxy.signal('SIGUSR1');
      await firstHalf;
      const secondHalf = write(PER_STREAM / 2 + 1, PER_STREAM);
      await second.printed('STALLED', 30_000);
      await sleep(1000);
      proxy.signal('SIGUSR2');
      await secondHalf;
      await until(`all ${TOTAL} applied`, async () => (await applied()) >= TOTAL, 90_000);
      const recoveredMs = Date.now() - cutAt;
      await second.printed('forwarding resumed', 10_000);
      await sleep(300); // any late duplicate arrives and must be dropped
      await second.kill();

      const rows = await db.dataSource.query<
        { stream_id: string; version: number; event_id: string }[]
      >(`SELECT stream_id, version, event_id FROM ${APPLIED_TABLE} ORDER BY seq`);
      // Every event delivered at least once...
      expect(new Set(deliveries)).toEqual(new Set(eventIds));
      // ...applied exactly once...
      expect(rows).toHaveLength(TOTAL);
      expect(new Set(rows.map((r) => r.event_id)).size).toBe(TOTAL);
      // ...in order per stream.
      for (let s = 0; s < STREAMS; s++) {
        const versions = rows
          .filter((r) => r.stream_id === `drill-${s}`)
          .map((r) => Number(r.version));
        expect(versions).toEqual(Array.from({ length: PER_STREAM }, (_, i) => i + 1));
      }
      console.log(
        `[drill forwarding ${kind}/${transport}] events=${TOTAL} deliveries=${deliveries.length} ` +
          `duplicates=${deliveries.length - TOTAL} applied=${rows.length} ` +
          `cut->all applied ${recoveredMs} ms`,
      );
    } finally {
      await consumer?.close();
      await proxy.kill();
      if (transport === 'rmq') {
        const conn = await amqpConnect(RABBIT);
        const channel = await conn.createChannel();
        await channel.deleteQueue(queue);
        await conn.close();
      }
      await db.drop();
    }
  }, 180_000);
});
