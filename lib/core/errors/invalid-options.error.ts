import { EventSourcingError } from './event-sourcing.error.js';

/** A configuration option is missing or wrong; raised at startup, before anything runs. */
export class InvalidOptionsError extends EventSourcingError {
  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`invalid event sourcing option "${option}": ${problem}`);
  }
}
