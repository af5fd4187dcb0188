import { EventSourcingError } from './event-sourcing.error.js';

/** A stored event of a known type cannot be turned back into its class. */
export class EventDeserializationError extends EventSourcingError {
  constructor(
    readonly eventType: string,
    readonly streamId: string | undefined,
    readonly streamVersion: number | undefined,
    problem: string,
    cause?: unknown,
  ) {
    super(
      `cannot read stored event "${eventType}"${where(streamId, streamVersion)}: ${problem}`,
      cause === undefined ? undefined : { cause },
    );
  }
}

function where(streamId: string | undefined, version: number | undefined): string {
  if (streamId === undefined) return '';
  return version === undefined ? ` in stream ${streamId}` : ` at ${streamId}@${version}`;
}
