import type { Provider } from '@nestjs/common';
import { EventStoreConnection } from './event-store-connection.js';
import { TypeOrmSagaFailureStore } from '../sql/typeorm-saga-failure-store.js';
import { TypeOrmSagaSchema } from '../sql/typeorm-saga-schema.js';
import { TypeOrmScheduledMessageStore } from '../sql/typeorm-scheduled-message-store.js';
import { Clock, SystemClock } from '../core/clock.js';
import { InMemorySagaFailureStore, SagaFailureStore } from '../core/saga-failure-store.js';
import { SagaManager } from '../saga/saga-manager.js';
import {
  InMemoryScheduledMessageStore,
  ScheduledMessageStore,
} from '../core/scheduled-message-store.js';

/** The saga stores of one connection, made together so their tables are migrated once. */
class SagaStores {
  constructor(
    readonly failures: SagaFailureStore,
    readonly scheduled: ScheduledMessageStore,
  ) {}
}

/** What the core module provides for sagas. */
export const sagaProviders: Provider[] = [
  { provide: Clock, useValue: new SystemClock() },
  {
    provide: SagaStores,
    inject: [EventStoreConnection, Clock],
    useFactory: async (connection: EventStoreConnection, clock: Clock) => {
      const now = () => clock.now();
      const dataSource = connection.dataSource;
      if (!dataSource) {
        return new SagaStores(
          new InMemorySagaFailureStore(),
          new InMemoryScheduledMessageStore({ now }),
        );
      }
      const options = {
        tablePrefix: connection.options.tablePrefix,
        schema: connection.options.schema,
        now,
      };
      await connection.addSchemaPart(new TypeOrmSagaSchema(dataSource, options));
      return new SagaStores(
        new TypeOrmSagaFailureStore(dataSource, options),
        new TypeOrmScheduledMessageStore(dataSource, options),
      );
    },
  },
  {
    provide: SagaFailureStore,
    inject: [SagaStores],
    useFactory: (stores: SagaStores) => stores.failures,
  },
  {
    provide: ScheduledMessageStore,
    inject: [SagaStores],
    useFactory: (stores: SagaStores) => stores.scheduled,
  },
  SagaManager,
];

/** What the core module exports for sagas. */
export const sagaExports = [Clock, SagaFailureStore, ScheduledMessageStore, SagaManager];
