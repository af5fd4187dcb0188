import { EventSourcingError } from './event-sourcing.error.js';
import { errorMessage } from '../error-message.js';

/** The module could not open its connection to the event store's database at startup. */
export class EventStoreConnectionError extends EventSourcingError {
  constructor(
    /** Where the module tried to connect, without credentials, e.g. `postgres://db:5432/shop`. */
    readonly target: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    const reason = errorMessage(cause);
    super(
      `cannot connect to the event store at ${target} (${attempts} attempt${attempts === 1 ? '' : 's'}): ` +
        `${reason}; check the url/host/database options and that the server is reachable ` +
        `(retryAttempts and retryDelay control the retries at startup)`,
      { cause },
    );
  }
}
