import { EventSourcingError } from './event-sourcing.error.js';

/** Why and where a subscription stopped. */
export interface SubscriptionFailure {
  /** The handler's error message. */
  message: string;
  /** `globalPosition` of the first event of the batch that kept failing. */
  position: number | undefined;
  /** Checkpoint of that event. */
  checkpoint: string | undefined;
  /** When the subscription was marked failed. */
  at: Date | undefined;
}

/** The subscription is failed: its handler kept throwing on a batch. */
export class SubscriptionFailedError extends EventSourcingError {
  constructor(
    readonly subscription: string,
    readonly failure: SubscriptionFailure,
  ) {
    const where = failure.position === undefined ? '' : ` at position ${failure.position}`;
    super(
      `subscription "${subscription}" failed${where}: ${failure.message}; fix the handler (or the ` +
        'data), then start() it again: it resumes from its last committed checkpoint',
    );
  }
}
