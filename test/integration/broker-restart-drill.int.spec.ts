import type { INestMicroservice } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { TypeOrmEventStore } from 'nestjs-event-sourcing';
import { DrillChildren } from '../support/child-process.js';
import type { ForwarderChildConfig } from '../support/forwarder-child.js';
import { APPLIED_TABLE, appliedTableSql, startConsumer } from '../support/forwarding-consumer.js';
import { TestRabbitNode } from '../support/rabbitmq-node.js';
import { createTestDatabase } from '../support/test-databases.js';

const STREAMS = 8;
const PER_STREAM = 40;
const TOTAL = STREAMS * PER_STREAM;

const children = new DrillChildren();
// A RabbitMQ node of the test's own (the shared broker is never stopped); killed and its data
// dir removed whatever happens.
const broker = new TestRabbitNode();
afterAll(async () => {
  await children.removeAll();
  await broker.remove();
});

/**
 * The broker process itself is SIGKILLed mid-stream and started again on the same ports and data
 * dir (a crash and restart, not a cut connection), after the forwarder was SIGKILLed mid-stream
 * too. On PostgreSQL only: the broker side is what is under test; the database side of the same
 * forwarder and inbox is drilled on all three databases in forwarding-drill.int.spec.ts.
 * One long test body (as in that drill): its phases share the writer, the children and the counts.
 */
describe('broker restart drill on postgres through a RabbitMQ node of its own', () => {
  it('broker SIGKILLed and restarted mid-stream (durable queue, persistent messages): every event delivered, applied once, in order; the forwarder stalls and resumes by itself', async () => {
    const bootMs = await broker.start();
    const db = await createTestDatabase('postgres');
    const id = randomBytes(4).toString('hex');
    const queue = `restart-drill-${id}`;
    const pattern = `restart-drill.${id}`;
    const deliveries: string[] = [];
    let consumer: INestMicroservice | undefined;
    let holding = Promise.resolve();
    let release = () => {};
    try {
      const store = new TypeOrmEventStore(db.dataSource, { schema: db.schema });
      await store.migrate();
      await db.dataSource.query(appliedTableSql('postgres'));
      consumer = await startConsumer({
        kind: 'postgres',
        dataSource: db.dataSource,
        schema: db.schema,
        transport: 'rmq',
        url: broker.url,
        queue,
        pattern,
        deliveries,
        durable: true,
        beforeApply: () => holding,
      });
      const applied = async () =>
        Number(
          (
            await db.dataSource.query<{ c: string }[]>(`SELECT COUNT(*) AS c FROM ${APPLIED_TABLE}`)
          )[0].c,
        );
      const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 30_000) => {
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
      // The first half before the broker dies, the second half while it is down.
      const firstHalf = write(1, PER_STREAM / 2);

      const childConfig: ForwarderChildConfig = {
        options: db.options,
        schema: db.schema,
        transport: 'rmq',
        url: broker.url,
        queue,
        pattern,
        name: `restart-drill-${id}`,
        batchSize: 10,
        durable: true,
      };
      const first = await children.start('test/support/forwarder-child.ts', childConfig);
      await until('40 applied', async () => (await applied()) >= 40).catch((error: Error) => {
        throw new Error(`${error.message}; forwarder output:\n${first.output()}`);
      });
      await first.kill(); // mid-stream: a batch may be published but not checkpointed

      const second = await children.start('test/support/forwarder-child.ts', childConfig);
      await until('100 applied', async () => (await applied()) >= 100);
      // The consumer holds its next delivery (unacknowledged) so the queue fills: confirmed, and
      // so checkpointed, messages that only the queue's durability keeps across the crash.
      holding = new Promise((resolve) => (release = resolve));
      const inQueue = await broker.waitForReadyMessages(queue, 30);
      await firstHalf;
      // Mid-stream: the second half is being written and forwarded when the broker dies.
      const secondHalf = write(PER_STREAM / 2 + 1, PER_STREAM);
      await until('second half begun', async () => eventIds.length >= TOTAL / 2 + STREAMS);
      const killedAt = Date.now();
      const outputBefore = second.output().length;
      await broker.kill();
      release(); // the held delivery is applied, its ack is lost: redelivered after the restart
      const printedSinceKill = (text: string) => async () =>
        second.output().slice(outputBefore).includes(text);
      await until('STALLED after the kill', printedSinceKill('STALLED'), 20_000);
      const stalledMs = Date.now() - killedAt;
      const restartMs = await broker.start();
      const outageMs = Date.now() - killedAt;
      await until('forwarding resumed', printedSinceKill('forwarding resumed'), 20_000);
      const resumedMs = Date.now() - killedAt - outageMs;
      await secondHalf;
      await until(`all ${TOTAL} applied`, async () => (await applied()) >= TOTAL);
      const allAppliedMs = Date.now() - killedAt;
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
        `[drill broker restart postgres/rmq] events=${TOTAL} deliveries=${deliveries.length} ` +
          `duplicates=${deliveries.length - TOTAL} applied=${rows.length} boot=${bootMs} ms ` +
          `ready in the queue at the kill>=${inQueue} ` +
          `kill->stalled ${stalledMs} ms, restart took ${restartMs} ms, outage ${outageMs} ms, ` +
          `broker up->forwarding resumed ${resumedMs} ms, kill->all applied ${allAppliedMs} ms`,
      );
    } finally {
      await consumer?.close();
      await db.drop();
    }
  }, 90_000);
});
