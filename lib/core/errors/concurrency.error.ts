import type { ExpectedVersion } from '../event-store.types.js';
import { EventSourcingError } from './event-sourcing.error.js';

/** Another writer changed the stream since the caller read it. */
export class ConcurrencyError extends EventSourcingError {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: ExpectedVersion,
    readonly actualVersion: number,
  ) {
    super(
      `stream ${streamId} is at version ${actualVersion}, expected ${describe(expectedVersion)}; ` +
        'reload the aggregate (or re-read the stream) and retry',
    );
  }
}

function describe(expected: ExpectedVersion): string {
  if (expected === 'no_stream') return 'no stream';
  if (expected === 'stream_exists') return 'an existing stream';
  return String(expected);
}
