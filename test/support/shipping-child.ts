/**
 * A separate process that runs the shipping process manager of saga-shipping.domain.ts on its own
 * DataSource, with a ManualClock set to `now`. The ordered-time tests SIGKILL it and start another.
 * It prints "ready" once booted.
 */
import { Test } from '@nestjs/testing';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { Clock, ManualClock } from '../../lib/index.js';
import { shippingTestModule } from './saga-shipping.domain.js';

export interface ShippingChildConfig {
  options: DataSourceOptions;
  schema: string | undefined;
  /** The ManualClock's time (ISO-8601). */
  now: string;
}

const config = JSON.parse(process.argv[2]) as ShippingChildConfig;
const dataSource = await new DataSource(config.options).initialize();
const moduleRef = await Test.createTestingModule({
  imports: [shippingTestModule({ dataSource, schema: config.schema })],
})
  .overrideProvider(Clock)
  .useValue(new ManualClock(new Date(config.now)))
  .setLogger({ log() {}, error() {}, warn() {} })
  .compile();
await moduleRef.init();
process.stdout.write('ready\n');
