/**
 * A separate process that runs the durable saga of saga.domain.ts on its own DataSource: the saga
 * tests compile this file (and what it imports from lib/) with SWC and run it with plain `node`.
 * It prints "ready" once booted; with `crashAfter`, it prints "crash-point" after that many
 * command executions and hangs (mid-batch: the batch's checkpoint is not written) until killed.
 */
import { NestFactory } from '@nestjs/core';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { SagaProbe, sagaTestModule } from './saga.domain.js';

export interface SagaChildConfig {
  options: DataSourceOptions;
  schema: string | undefined;
  owner: string;
  crashAfter?: number;
}

const config = JSON.parse(process.argv[2]) as SagaChildConfig;
const dataSource = await new DataSource(config.options).initialize();
const app = await NestFactory.createApplicationContext(
  sagaTestModule({ dataSource, schema: config.schema }),
  { logger: false },
);
const probe = app.get(SagaProbe);
probe.owner = config.owner;
const crashAfter = config.crashAfter;
if (crashAfter !== undefined) {
  probe.afterExecution = async () => {
    if (probe.executions !== crashAfter) return;
    process.stdout.write('crash-point\n');
    await new Promise(() => setInterval(() => undefined, 1000));
  };
}
process.stdout.write('ready\n');
