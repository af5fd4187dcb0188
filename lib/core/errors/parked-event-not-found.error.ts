import { EventSourcingError } from './event-sourcing.error.js';

/** `SagaManager.retry(name, eventId)` named an event that is not parked. */
export class ParkedEventNotFoundError extends EventSourcingError {
  constructor(
    readonly saga: string,
    readonly eventId: string,
  ) {
    super(
      `saga "${saga}" has no parked event ${eventId}; list the parked events with ` +
        'SagaManager.status() (or the CLI: sagas status) and retry one of those',
    );
  }
}
