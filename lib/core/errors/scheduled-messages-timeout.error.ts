import { EventSourcingError } from './event-sourcing.error.js';

/** Raised by `waitUntilIdle` when due messages are still pending after the timeout. */
export class ScheduledMessagesTimeoutError extends EventSourcingError {
  constructor(readonly timeoutMs: number) {
    super(
      `scheduled messages were still due after ${timeoutMs} ms; is a scheduler running (workers on) ` +
        'in some process? Start the workers, or wait longer',
    );
  }
}
