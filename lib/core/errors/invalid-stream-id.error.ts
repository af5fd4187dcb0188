import { EventSourcingError } from './event-sourcing.error.js';

/** A stream id is empty, too long or holds control characters; nothing was read or written. */
export class InvalidStreamIdError extends EventSourcingError {
  constructor(
    readonly streamId: unknown,
    reason: string,
  ) {
    super(
      `invalid stream id ${JSON.stringify(streamId)}: ${reason}; ` +
        'use 1 to 255 printable characters, like "order-42"',
    );
  }
}
