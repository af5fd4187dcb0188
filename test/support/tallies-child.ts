/**
 * One instance of an application with the partitioned `tallies` projection (4 buckets), balanced
 * with its siblings through the database: the partitioned-projection drill starts two.
 */
import { NestFactory } from '@nestjs/core';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { WorkerBalancer } from '../../lib/engine/worker-balancer.js';
import { talliesModule } from './tallies.projection.js';

export interface TalliesChildConfig {
  options: DataSourceOptions;
  schema: string | undefined;
}

const config = JSON.parse(process.argv[2]) as TalliesChildConfig;
const dataSource = await new DataSource(config.options).initialize();
const app = await NestFactory.createApplicationContext(
  talliesModule({ dataSource, schema: config.schema }),
  { logger: ['error'] },
);
process.stdout.write(`instance ${app.get(WorkerBalancer).instanceId}\n`);
