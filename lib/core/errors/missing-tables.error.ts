import { EventSourcingError } from './event-sourcing.error.js';

/** `migrate: false` and some of the store's tables do not exist. */
export class MissingTablesError extends EventSourcingError {
  constructor(readonly tables: string[]) {
    super(
      `the event store's tables ${tables.join(', ')} do not exist and the option migrate is false; ` +
        'create them before the app starts: apply the DDL of `schema sql` (CLI) or ' +
        '`EventStoreSchema.sql()` (in a TypeORM migration), run `schema migrate`, or set migrate: true',
    );
  }
}
