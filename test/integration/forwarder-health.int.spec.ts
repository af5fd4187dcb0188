import type { INestApplicationContext } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { connect as amqpConnect } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  EventForwarders,
  EventForwardingModule,
  EventSourcingHealthIndicator,
  EventSourcingModule,
  EventStore,
  type EventSourcingHealthResult,
} from 'nestjs-event-sourcing';
import { InstanceRegistry } from '../../lib/core/instance-registry.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { createTestDatabase, type DatabaseKind } from '../support/test-databases.js';

const RABBIT = 'amqp://guest:guest@127.0.0.1:5672';
const MAX_STALLED_MS = 1_500;

type Health = EventSourcingHealthResult<'es'>['es'];

/**
 * A real RabbitMQ client behind a TCP proxy the test owns: cutting the proxy is the broker going
 * away for this application only (the shared broker is never touched).
 */
describe.each<DatabaseKind>(['postgres', 'mariadb', 'sqlite'])(
  'health of a forwarder whose broker goes away, on %s',
  (kind) => {
    it('reports the forwarder down, with since when, once stalled past the threshold; up again after the broker is back', async () => {
      const db = await createTestDatabase(kind);
      const proxy = await new TcpProxy('127.0.0.1', 5672).start();
      const queue = `health-${randomBytes(4).toString('hex')}`;
      const client: ClientProxy = ClientProxyFactory.create({
        transport: Transport.RMQ,
        options: {
          urls: [`amqp://guest:guest@127.0.0.1:${proxy.port}`],
          queue,
          queueOptions: { durable: false },
          socketOptions: { reconnectTimeInSeconds: 0.2, heartbeatIntervalInSeconds: 1 },
        },
      });
      let app: INestApplicationContext | undefined;
      try {
        app = await (
          await Test.createTestingModule({
            imports: [
              CqrsModule.forRoot(),
              EventSourcingModule.forRoot({ dataSource: db.dataSource, schema: db.schema }),
              EventForwardingModule.forRoot({
                forwarders: [{ name: 'out', client, pollIntervalMs: 50, publishTimeoutMs: 500 }],
              }),
            ],
          }).compile()
        ).init();
        const indicator = app.get(EventSourcingHealthIndicator);
        const store = app.get(EventStore);
        const health = async (): Promise<Health> =>
          (await indicator.isHealthy('es', { maxStalledMs: MAX_STALLED_MS })).es;
        const until = async (what: string, check: (h: Health) => boolean): Promise<Health> => {
          const deadline = Date.now() + 30_000;
          for (;;) {
            const h = await health();
            if (check(h)) return h;
            if (Date.now() > deadline) {
              throw new Error(`${what} did not happen within 30 s: ${JSON.stringify(h)}`);
            }
            await sleep(50);
          }
        };
        const append = (n: number) =>
          store.appendToStream(`parcel-${n}`, [{ type: 'health_test.sent', data: { n } }]);

        await append(1);
        await app.get(EventForwarders).waitForCatchUp('out', { timeoutMs: 20_000 });
        const up = await health();
        expect(up.status).toBe('up');
        const id = app.get(InstanceRegistry).instanceId;
        expect(up.instance).toEqual({ id, liveInstances: 1 });
        expect(up.workers['forwarder:out']).toMatchObject({
          kind: 'forwarder',
          state: 'forwarding',
          lagEvents: 0,
          lagMs: 0,
          leaseHolder: id,
        });
        expect(up.workers['forwarder:out'].stalledSince).toBeUndefined();

        proxy.cut();
        const cutAt = Date.now();
        await append(2);
        const stalled = await until(
          'stalled',
          (h) => h.workers['forwarder:out'].state === 'stalled',
        );
        const since = stalled.workers['forwarder:out'].stalledSince!;
        expect(since.getTime()).toBeGreaterThanOrEqual(cutAt - 100);
        // A short outage (a broker restart) shows as stalled without taking the instance down.
        if (Date.now() - since.getTime() < MAX_STALLED_MS - 200) expect(stalled.status).toBe('up');

        const down = await until('down', (h) => h.status === 'down');
        const worker = down.workers['forwarder:out'];
        expect(worker).toMatchObject({ state: 'stalled', lagEvents: 1, leaseHolder: id });
        expect(worker.stalledSince).toEqual(since);
        expect(worker.problem).toContain(`forwarder "out" stalled since ${since.toISOString()}`);
        expect(worker.problem).toMatch(
          /over 1500\): the broker does not confirm \(forwarder "out" could not publish/,
        );
        expect(Date.now() - since.getTime()).toBeGreaterThan(MAX_STALLED_MS);

        proxy.restore();
        const again = await until('up again', (h) => h.status === 'up');
        await app.get(EventForwarders).waitForCatchUp('out', { timeoutMs: 20_000 });
        expect(again.workers['forwarder:out'].stalledSince).toBeUndefined();
        expect((await health()).workers['forwarder:out']).toMatchObject({
          state: 'forwarding',
          lagEvents: 0,
        });
        console.log(
          `[forwarder health ${kind}] cut -> stalled ${since.getTime() - cutAt} ms, ` +
            `down after ${MAX_STALLED_MS} ms stalled, restore -> up ${Date.now() - cutAt} ms after the cut`,
        );
      } finally {
        await app?.close();
        await client.close();
        await proxy.stop();
        const conn = await amqpConnect(RABBIT);
        const channel = await conn.createChannel();
        await channel.deleteQueue(queue);
        await conn.close();
        await db.drop();
      }
    }, 90_000);
  },
);
