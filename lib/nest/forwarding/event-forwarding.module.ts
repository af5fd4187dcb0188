import { Module } from '@nestjs/common';
import {
  ConfigurableEventForwardingModule,
  EVENT_FORWARDING_OPTIONS,
} from './event-forwarding.module-definition.js';
import { EventStore } from '../../core/event-store.js';
import { SubscriptionStore } from '../../core/subscription-store.js';
import { WorkerBalancer } from '../../engine/worker-balancer.js';
import { WorkerEnvironment } from '../../engine/worker-environment.js';
import { EventForwarders } from '../../forwarding/event-forwarders.js';
import type { EventForwardingModuleOptions } from '../../forwarding/event-forwarder.options.js';

/**
 * Publishes stored events to brokers through `@nestjs/microservices` clients. Import it next to
 * `EventSourcingModule.forRoot`; `forRootAsync` lets the clients come from `ClientsModule`:
 *
 * ```ts
 * EventForwardingModule.forRootAsync({
 *   imports: [ClientsModule.register([{ name: 'BANK', transport: Transport.RMQ, options: { ... } }])],
 *   inject: ['BANK'],
 *   useFactory: (client: ClientProxy) => ({ forwarders: [{ name: 'bank', client, categories: ['account'] }] }),
 * })
 * ```
 */
@Module({
  providers: [
    {
      provide: EventForwarders,
      inject: [
        EVENT_FORWARDING_OPTIONS,
        EventStore,
        SubscriptionStore,
        WorkerEnvironment,
        { token: WorkerBalancer, optional: true },
      ],
      useFactory: (
        options: EventForwardingModuleOptions,
        store: EventStore,
        subscriptions: SubscriptionStore,
        environment: WorkerEnvironment,
        balancer?: WorkerBalancer,
      ) => new EventForwarders(options, store, subscriptions, environment, balancer),
    },
  ],
  exports: [EventForwarders],
})
export class EventForwardingModule extends ConfigurableEventForwardingModule {}
