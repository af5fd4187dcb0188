import { EventSourcingError } from './event-sourcing.error.js';

/**
 * PostgreSQL: the connection that was to LISTEN for committed events ended while it started. The
 * notifier retries by itself; until it listens, workers poll (they wake later, nothing is lost).
 */
export class ListenConnectionLostError extends EventSourcingError {
  constructor(channel: string) {
    super(
      `the connection listening on "${channel}" ended while it started listening; it is retried ` +
        'by itself (workers poll meanwhile). If this repeats, check that the pool and the server ' +
        'allow one long-lived connection per app instance (max_connections, pooler in session mode)',
    );
  }
}
