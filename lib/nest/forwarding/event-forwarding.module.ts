import { Module } from '@nestjs/common';
import { ConfigurableEventForwardingModule } from './event-forwarding.module-definition.js';
import { EventForwarders } from '../../forwarding/event-forwarders.js';

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
@Module({ providers: [EventForwarders], exports: [EventForwarders] })
export class EventForwardingModule extends ConfigurableEventForwardingModule {}
