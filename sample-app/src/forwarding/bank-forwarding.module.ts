import type { DynamicModule } from '@nestjs/common';
import { ClientsModule, type ClientProxy } from '@nestjs/microservices';
import { EventForwardingModule } from 'nestjs-event-sourcing';
import { BANK_EVENTS_PATTERN, clientOptions, type SampleBroker } from './broker-options.js';

const BANK_EVENTS_CLIENT = 'BANK_EVENTS_CLIENT';

/** Forwards every event of the `account` streams to the broker, in order, at least once. */
export function bankForwarding(broker: SampleBroker): DynamicModule {
  return EventForwardingModule.forRootAsync({
    imports: [ClientsModule.register([{ name: BANK_EVENTS_CLIENT, ...clientOptions(broker) }])],
    inject: [BANK_EVENTS_CLIENT],
    useFactory: (client: ClientProxy) => ({
      forwarders: [{ name: 'bank', client, pattern: BANK_EVENTS_PATTERN, categories: ['account'] }],
    }),
  });
}
