import { MAX_STREAM_VERSION } from '../limits.js';
import { EventSourcingError } from './event-sourcing.error.js';

/** An `expectedVersion` is neither a whole number in range nor one of the named values. */
export class InvalidExpectedVersionError extends EventSourcingError {
  constructor(readonly expectedVersion: unknown) {
    super(
      `invalid expected version ${JSON.stringify(expectedVersion) ?? String(expectedVersion)}; ` +
        `use a whole number from 0 to ${MAX_STREAM_VERSION}, 'any', 'no_stream' or 'stream_exists' (or omit it for 'any')`,
    );
  }
}
