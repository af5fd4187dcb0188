import type { Provider } from '@nestjs/common';
import { EventStoreConnection } from '../event-store-connection.js';
import { EventRegistry } from '../../serialization/event-registry.js';
import type { EventClass } from '../../serialization/serialization.types.js';
import { EventInbox } from '../../forwarding/event-inbox.js';
import { InMemoryInboxStore, type InboxStore } from '../../forwarding/inbox-store.js';
import { InboxTable } from '../../sql/inbox-table.js';
import { SqlInboxStore } from './sql-inbox-store.js';

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
    useFactory: async (connection: EventStoreConnection, registry: EventRegistry) => {
      registry.register(...options.events);
      return new EventInbox(await inboxStoreOf(connection), registry);
    },
  };
}

/** The inbox table in the store's database (created unless `migrate: false`), else in memory. */
async function inboxStoreOf(connection: EventStoreConnection): Promise<InboxStore> {
  const dataSource = connection.dataSource;
  if (!dataSource) return new InMemoryInboxStore();
  const table = new InboxTable(dataSource, {
    tablePrefix: connection.options.tablePrefix,
    schema: connection.options.schema,
  });
  await connection.addSchemaPart(table);
  return new SqlInboxStore(dataSource, table);
}
