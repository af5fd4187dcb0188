import { EventSourcingError } from './event-sourcing.error.js';

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
