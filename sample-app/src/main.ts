import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { createApp } from './app.js';
import { databaseFromEnv } from './database-options.js';
import { brokerFromEnv } from './forwarding/broker-options.js';

const db = { ...databaseFromEnv(), broker: brokerFromEnv() };
if (db.type === 'better-sqlite3') mkdirSync('data', { recursive: true });
const app = await createApp(db);
const port = Number(process.env.PORT ?? 3000);
await app.listen(port, '127.0.0.1');
new Logger('SampleApp').log(`Listening on http://127.0.0.1:${port} (${db.type})`);
