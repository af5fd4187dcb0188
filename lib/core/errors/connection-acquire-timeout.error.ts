import { EventSourcingError } from './event-sourcing.error.js';

/** No pooled database connection became free in time: the pool is starved. */
export class ConnectionAcquireTimeoutError extends EventSourcingError {
  constructor(
    readonly timeoutMs: number,
    readonly poolSize: number | undefined,
  ) {
    super(
      `no database connection became free within ${timeoutMs} ms` +
        (poolSize === undefined ? '' : ` (pool of ${poolSize})`) +
        '; every connection is busy, usually held by long or stuck transactions: shorten ' +
        'transactions, raise poolSize, or raise acquireTimeoutMs; nothing was written by this call',
    );
  }
}
