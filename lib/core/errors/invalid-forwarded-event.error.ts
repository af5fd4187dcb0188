import { EventSourcingError } from './event-sourcing.error.js';

/** A message handed to the inbox is not a forwarded-event envelope. */
export class InvalidForwardedEventError extends EventSourcingError {
  constructor(handler: string, received: unknown) {
    super(
      `inbox handler "${handler}" received ${JSON.stringify(received)?.slice(0, 200) ?? String(received)}, ` +
        'which is not a forwarded event (format 1 with eventId, type, streamId, version, metadata); ' +
        'point the @EventPattern only at patterns an EventForwarder publishes to',
    );
  }
}
