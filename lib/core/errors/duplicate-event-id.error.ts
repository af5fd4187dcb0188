import { EventSourcingError } from './event-sourcing.error.js';

/** An event id is already stored, and not as part of the same append retried. */
export class DuplicateEventIdError extends EventSourcingError {
  constructor(
    readonly streamId: string,
    readonly eventIds: readonly string[],
  ) {
    super(
      `event id(s) ${eventIds.join(', ')} appended to ${streamId} already exist in the store as different events; ` +
        'give every new event a fresh id (or omit eventId and let the store generate one)',
    );
  }
}
