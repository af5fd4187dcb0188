import { EventSourcingError } from './event-sourcing.error.js';

/** A store was handed a transaction handle that is not one of its own kind. */
export class ForeignTransactionError extends EventSourcingError {
  constructor(store: string, expected: string) {
    super(
      `the ${store} was given a transaction (\`manager\`) that is not ${expected}; pass the ` +
        "manager of a transaction opened on the store's own DataSource (`dataSource.transaction(" +
        '(manager) => ...)` or the `ctx.manager` a projection or unit of work hands you)',
    );
  }
}
