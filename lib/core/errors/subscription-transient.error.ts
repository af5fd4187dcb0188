import { EventSourcingError } from './event-sourcing.error.js';

/**
 * Thrown by a subscription handler for a failure outside the handler's own logic, such as a broker
 * that cannot be reached: the batch rolls back and is retried with growing pauses (up to 30 s) for
 * as long as it takes, without counting against `retry.maxAttempts`, so the subscription stalls
 * (visible in `lastError`, warned in the log) instead of being marked failed.
 */
export class SubscriptionTransientError extends EventSourcingError {}
