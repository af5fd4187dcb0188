import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import {
  EVENT_STORE_DATA_SOURCE,
  getAggregateRepositoryToken,
  MissingDatabaseDriverError,
  ProjectionManager,
  type AggregateRepository,
} from 'nestjs-event-sourcing';
import type { DataSource } from 'typeorm';
import { AppModule, Order, OrderSummary, PostgresAppModule } from './app.module.js';

// Prints one JSON line of what happened, for the test to check.
const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
const orders = app.get<AggregateRepository<Order>>(getAggregateRepositoryToken(Order));
await orders.save(Order.place('42', 10));
await app.get(ProjectionManager).waitForCatchUp('order_summary', { timeoutMs: 20_000 });
const dataSource = app.get<DataSource>(EVENT_STORE_DATA_SOURCE);
const summary = await dataSource.getRepository(OrderSummary).findOneBy({ id: '42' });
await app.close();

// pg is not installed here: the module says which package to install.
let driverError = '';
try {
  await NestFactory.createApplicationContext(PostgresAppModule, {
    logger: false,
    abortOnError: false,
  });
} catch (error) {
  driverError = error instanceof MissingDatabaseDriverError ? error.message : String(error);
}
console.log(JSON.stringify({ summary, driverError }));
