import { SubscriptionTransientError } from './subscription-transient.error.js';
import { errorMessage } from '../error-message.js';

/**
 * The broker did not confirm a forwarded event in time (down, unreachable, blocked). The batch is
 * not checkpointed; the forwarder retries it until the broker is back (events sent before the
 * failure may then arrive twice: the receiving inbox drops the copies).
 */
export class BrokerUnavailableError extends SubscriptionTransientError {
  constructor(
    readonly forwarder: string,
    readonly eventId: string,
    cause: unknown,
  ) {
    super(
      `forwarder "${forwarder}" could not publish event ${eventId}: ` +
        `${errorMessage(cause)}; it retries until the broker ` +
        'confirms (check that the broker is up and reachable)',
      { cause },
    );
  }
}
