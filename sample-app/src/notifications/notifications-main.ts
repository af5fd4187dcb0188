import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { brokerFromEnv, serverOptions } from '../forwarding/broker-options.js';
import { NotificationsModule } from './notifications.module.js';

// BROKER_URL=amqp://guest:guest@127.0.0.1:5672 node dist/sample-app/src/notifications/notifications-main.js
const broker = brokerFromEnv();
if (!broker) throw new Error('set BROKER_URL (amqp://... or nats://...) to receive bank events');
mkdirSync('data', { recursive: true });
const app = await NestFactory.create(
  NotificationsModule.forRoot(process.env.NOTIFICATIONS_SQLITE_FILE ?? 'data/notifications.sqlite'),
);
app.connectMicroservice(serverOptions(broker));
await app.startAllMicroservices();
const port = Number(process.env.NOTIFICATIONS_PORT ?? 3001);
await app.listen(port, '127.0.0.1');
new Logger('Notifications').log(
  `Receiving bank events from ${broker.url}; GET http://127.0.0.1:${port}/notifications/:accountId`,
);
