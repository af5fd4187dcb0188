import { EventSourcingError } from './event-sourcing.error.js';

/** An event given to `appendToStream` is malformed (type name, event id, metadata). */
export class InvalidEventError extends EventSourcingError {
  constructor(
    readonly index: number,
    reason: string,
  ) {
    super(`event #${index} cannot be appended: ${reason}`);
  }
}
