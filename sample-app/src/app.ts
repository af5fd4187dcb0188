import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  EventSourcingExceptionFilter,
  type EventSourcingModuleOptions,
} from 'nestjs-event-sourcing';
import { AppModule } from './app.module.js';

/** Builds the sample app; main.ts and the e2e tests both start it through here. */
export async function createApp(database: EventSourcingModuleOptions): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(database), {
    logger: ['error', 'warn', 'log'],
  });
  app.useGlobalFilters(new EventSourcingExceptionFilter());
  app.enableShutdownHooks();
  return app;
}
