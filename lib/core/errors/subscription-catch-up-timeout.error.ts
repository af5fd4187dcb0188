import { EventSourcingError } from './event-sourcing.error.js';

/** `waitForCatchUp` ran out of time before the subscription reached the end of the log. */
export class SubscriptionCatchUpTimeoutError extends EventSourcingError {
  constructor(
    readonly subscription: string,
    readonly timeoutMs: number,
  ) {
    super(
      `subscription "${subscription}" did not catch up with the event log within ${timeoutMs} ms; ` +
        'check that it is started and that some instance holds its lease (status()), or wait longer',
    );
  }
}
