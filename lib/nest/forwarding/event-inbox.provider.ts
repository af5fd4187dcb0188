import type { Provider } from '@nestjs/common';
import { EventStoreConnection } from '../event-store-connection.js';
import { EventRegistry } from '../../serialization/event-registry.js';
import type { EventClass } from '../../serialization/serialization.types.js';
import { EventInbox } from '../../forwarding/event-inbox.js';

/** The options of `provideEventInbox`. */
export interface EventInboxOptions {
  /** The event classes the inbox revives forwarded events into. */
  events: EventClass[];
}

/**
 * The `EventInbox` provider of a consuming microservice, with the event classes it revives
 * (a consumer usually has no aggregates that would register them):
 * `providers: [provideEventInbox({ events: [MoneyDeposited, MoneyWithdrawn] })]`.
 */
export function provideEventInbox(options: EventInboxOptions): Provider {
  return {
    provide: EventInbox,
    inject: [EventStoreConnection, EventRegistry],
    useFactory: (connection: EventStoreConnection, registry: EventRegistry) => {
      registry.register(...options.events);
      return new EventInbox(connection, registry);
    },
  };
}
