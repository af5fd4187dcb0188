import { EventSourcingError } from './event-sourcing.error.js';
import { errorMessage } from '../error-message.js';

/** An event's payload cannot be stored as JSON (a BigInt, a cycle); nothing was written. */
export class EventSerializationError extends EventSourcingError {
  constructor(
    readonly eventType: string,
    cause: unknown,
  ) {
    super(
      `event "${eventType}" cannot be stored as JSON (${errorMessage(cause)}); ` +
        'keep payloads to plain data: strings, numbers, booleans, arrays, objects, Dates (convert BigInt to string, remove cycles)',
      { cause },
    );
  }
}
