import { EventSourcingError } from './event-sourcing.error.js';

export class InvalidExpectedVersionError extends EventSourcingError {
  constructor(readonly expectedVersion: unknown) {
    super(
      `invalid expected version ${JSON.stringify(expectedVersion) ?? String(expectedVersion)}; ` +
        "use a whole number >= 0, 'any', 'no_stream' or 'stream_exists'",
    );
  }
}
