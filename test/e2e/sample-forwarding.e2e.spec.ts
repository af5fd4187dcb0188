import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { connect as amqpConnect } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventForwarders } from 'nestjs-event-sourcing';
import { createApp } from '../../sample-app/src/app.js';
import {
  serverOptions,
  type SampleBroker,
} from '../../sample-app/src/forwarding/broker-options.js';
import { NotificationsModule } from '../../sample-app/src/notifications/notifications.module.js';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js';

const RABBIT = 'amqp://guest:guest@127.0.0.1:5672';

describe.each([
  ['RabbitMQ', RABBIT],
  ['NATS', 'nats://127.0.0.1:4222'],
])('sample bank forwards to the notifications service through %s', (_name, url) => {
  let db: TestDatabase;
  let bank: INestApplication;
  let notifications: INestApplication;
  const broker: SampleBroker = { url, queue: `bank-events-${randomBytes(4).toString('hex')}` };
  const notificationsFile = join(
    tmpdir(),
    `notifications-${randomBytes(4).toString('hex')}.sqlite`,
  );

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    notifications = await NestFactory.create(NotificationsModule.forRoot(notificationsFile), {
      logger: ['error', 'warn'],
    });
    notifications.connectMicroservice(serverOptions(broker));
    await notifications.startAllMicroservices();
    await notifications.init();
    const o = db.options as { url?: string };
    bank = await createApp({ type: 'postgres', url: o.url, schema: db.schema, broker });
    await bank.init();
  });
  afterAll(async () => {
    await bank?.close();
    await notifications?.close();
    await db?.drop();
    for (const suffix of ['', '-wal', '-shm']) rmSync(notificationsFile + suffix, { force: true });
    if (url === RABBIT) {
      const conn = await amqpConnect(RABBIT);
      const channel = await conn.createChannel();
      await channel.deleteQueue(broker.queue!);
      await conn.close();
    }
  });

  it('every account event becomes one notification, in order', async () => {
    const http = request(bank.getHttpServer() as never);
    const opened = await http.post('/accounts').send({ owner: 'ada' }).expect(201);
    const id = opened.body.accountId as string;
    await http.post(`/accounts/${id}/deposits`).send({ amount: 100 }).expect(201);
    await http.post(`/accounts/${id}/withdrawals`).send({ amount: 30 }).expect(201);
    await http.post(`/accounts/${id}/deposits`).send({ amount: 5 }).expect(201);
    await bank.get(EventForwarders).waitForCatchUp('bank', { timeoutMs: 20_000 });
    expect(bank.get(EventForwarders).status()[0]).toMatchObject({
      name: 'bank',
      state: 'forwarding',
    });

    const inbox = request(notifications.getHttpServer() as never);
    let texts: string[] = [];
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(100)) {
      const res = await inbox.get(`/notifications/${id}`).expect(200);
      texts = (res.body as { text: string }[]).map((n) => n.text);
      if (texts.length >= 4) break;
    }
    expect(texts).toEqual([
      'Welcome, ada: your account is open',
      '100 deposited',
      '30 withdrawn',
      '5 deposited',
    ]);
  });
});
