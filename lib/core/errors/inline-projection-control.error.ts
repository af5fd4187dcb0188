import { EventSourcingError } from './event-sourcing.error.js';

/** An operation that needs a worker (start, stop, rebuild ...) was asked of an inline projection. */
export class InlineProjectionControlError extends EventSourcingError {
  constructor(readonly projection: string) {
    super(
      `projection "${projection}" is inline: it runs inside each append and has no worker to ` +
        "control; make it async ({ mode: 'async' }) to start, stop or rebuild it",
    );
  }
}
