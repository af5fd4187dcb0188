import type { Provider } from '@nestjs/common';
import {
  InMemoryParkedPartitionStore,
  ParkedPartitionStore,
} from '../core/parked-partition-store.js';
import { TypeOrmParkedPartitionStore } from '../sql/typeorm-parked-partition-store.js';
import { EventStoreConnection } from './event-store-connection.js';

/** Where partitioned projections park keys: `<prefix>projection_parked`, or memory. */
export const parkedPartitionProviders: Provider[] = [
  {
    provide: ParkedPartitionStore,
    inject: [EventStoreConnection],
    useFactory: async (connection: EventStoreConnection) => {
      const dataSource = connection.dataSource;
      if (!dataSource) return new InMemoryParkedPartitionStore();
      const store = new TypeOrmParkedPartitionStore(dataSource, {
        tablePrefix: connection.options.tablePrefix,
        schema: connection.options.schema,
      });
      await connection.addSchemaPart(store);
      return store;
    },
  },
];
