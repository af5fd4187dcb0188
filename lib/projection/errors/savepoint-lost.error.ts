import { EventSourcingError } from '../../core/errors/event-sourcing.error.js';

/**
 * A handler failed and took the whole batch transaction with it (a MySQL/MariaDB deadlock rolls the
 * transaction back, not only the statement), so its savepoint is gone: the event cannot be isolated
 * and parked in this transaction. The batch fails as a whole and is retried from its start.
 */
export class SavepointLostError extends EventSourcingError {
  constructor(
    readonly original: unknown,
    lost: unknown,
  ) {
    super(
      `${original instanceof Error ? original.message : String(original)} (and the batch ` +
        `transaction ended with it: ${lost instanceof Error ? lost.message : String(lost)}); ` +
        'the batch is retried from its start',
    );
  }
}
