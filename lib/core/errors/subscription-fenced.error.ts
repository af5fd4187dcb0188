import { EventSourcingError } from './event-sourcing.error.js';

/**
 * A runner tried to commit a batch after it lost the lease or after the stored checkpoint moved
 * (another runner committed, or the subscription was reset). Nothing of the batch was kept.
 */
export class SubscriptionFencedError extends EventSourcingError {
  constructor(
    readonly subscription: string,
    readonly owner: string,
  ) {
    super(
      `subscription "${subscription}": owner "${owner}" no longer holds the lease, or the stored ` +
        'checkpoint moved (another runner committed, or the subscription was reset); the batch ' +
        'was rolled back and will be read again by whoever holds the lease',
    );
  }
}
