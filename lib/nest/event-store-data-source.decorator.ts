import { Inject } from '@nestjs/common';

/** The token of the event store's TypeORM DataSource (null with the in-memory store). */
export const EVENT_STORE_DATA_SOURCE = Symbol('EVENT_STORE_DATA_SOURCE');

/**
 * Injects the DataSource the event store uses: the one the module opened (with `type`, its
 * `entities` included) or the one passed as `dataSource`. Read your projections' tables with it:
 * `constructor(@InjectEventStoreDataSource() private readonly dataSource: DataSource) {}`.
 */
export const InjectEventStoreDataSource = (): ParameterDecorator & PropertyDecorator =>
  Inject(EVENT_STORE_DATA_SOURCE);
