import { EventSourcingError } from './event-sourcing.error.js';

/**
 * A saga handed back something it cannot: a non-object command, a correlation key too long to
 * store, a scheduled event it has no handler for. The message names the saga and the fix.
 */
export class InvalidSagaOutputError extends EventSourcingError {
  constructor(
    readonly saga: string,
    problem: string,
  ) {
    super(`saga "${saga}": ${problem}`);
  }
}
