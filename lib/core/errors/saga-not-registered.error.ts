import { EventSourcingError } from './event-sourcing.error.js';

/** An event-sourced saga was asked for (load, a scheduled message) that this application lacks. */
export class SagaNotRegisteredError extends EventSourcingError {
  constructor(
    readonly saga: string,
    why: string,
  ) {
    super(
      `${why}: no event-sourced saga ${saga} is registered in this application; list its class ` +
        "in a module's providers (or discard what it scheduled)",
    );
  }
}
