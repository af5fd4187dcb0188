import type { DeserializableEvent } from './serialization.types.js';
import { EventDeserializationError } from '../core/errors/event-deserialization.error.js';

/** The error for a stored event that cannot be turned back into its class, and where it is. */
export function deserializationFailure(
  stored: DeserializableEvent,
  problem: string,
  cause?: unknown,
): EventDeserializationError {
  return new EventDeserializationError(
    stored.type,
    stored.streamId,
    stored.version,
    problem,
    cause,
  );
}
