import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { runEventSourcingCli } from 'nestjs-event-sourcing';
import { AppModule } from './app.module.js';
import { databaseFromEnv } from './database-options.js';
import { brokerFromEnv } from './forwarding/broker-options.js';

// The operator CLI: `npm run cli -- projections status`. Workers stay off in this process; a
// rebuild starts the one worker it needs.
const db = databaseFromEnv();
if (db.type === 'better-sqlite3') mkdirSync('data', { recursive: true });
await runEventSourcingCli(AppModule.forRoot({ ...db, broker: brokerFromEnv(), workers: false }));
