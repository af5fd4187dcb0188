import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CorrelationIdInterceptor, EventSourcingExceptionFilter } from 'nestjs-event-sourcing';
import { AppModule } from './app.module.js';
import { DomainRuleFilter } from './common/domain-rule.filter.js';
import { JsonDepthPipe } from './common/json-depth.pipe.js';
import type { SampleDatabase } from './database-options.js';

/** Builds the sample app; main.ts and the e2e tests both start it through here. */
export async function createApp(db: SampleDatabase): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(db), { logger: ['error', 'warn', 'log'] });
  app.useGlobalPipes(
    new JsonDepthPipe(),
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  app.useGlobalFilters(new EventSourcingExceptionFilter(), new DomainRuleFilter());
  app.useGlobalInterceptors(new CorrelationIdInterceptor());
  app.enableShutdownHooks();
  return app;
}
