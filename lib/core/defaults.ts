/**
 * Defaults of the options, in one place. Subscriptions, projections and durable sagas read the
 * log with the same engine, so they share its defaults; the `@default` tags of the option types
 * (and the README) name these values.
 */

/** Events read per batch (one `readAll` page, one handler call). */
export const DEFAULT_BATCH_SIZE = 100;
/** How often an idle reader looks for new events, and for a free lease. */
export const DEFAULT_POLL_INTERVAL_MS = 250;
/** How long a runner's lease lasts without renewal (renewed every third of it). */
export const DEFAULT_LEASE_TTL_MS = 10_000;
/** Attempts per batch or event before it is marked failed (subscriptions) or parked (sagas). */
export const DEFAULT_MAX_ATTEMPTS = 5;
/** Wait before the second attempt, doubled after each attempt. */
export const DEFAULT_BACKOFF_MS = 100;
/** How long `waitForCatchUp` waits for one reader. */
export const DEFAULT_CATCH_UP_TIMEOUT_MS = 30_000;

/** How long a statement waits for a free pooled connection: a starved pool fails, not hangs. */
export const DEFAULT_ACQUIRE_TIMEOUT_MS = 10_000;
/** Connection attempts at startup after the first one fails (like `@nestjs/typeorm`). */
export const DEFAULT_CONNECT_RETRY_ATTEMPTS = 9;
/** Milliseconds between connection attempts at startup. */
export const DEFAULT_CONNECT_RETRY_DELAY_MS = 3000;
