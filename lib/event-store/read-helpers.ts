import { InvalidCheckpointError } from './errors/invalid-checkpoint.error.js';
import type { ReadStreamOptions, StoredEvent } from './event-store.types.js';

/** Applies `fromVersion`, `direction` and `maxCount` to a stream's events (ordered by version). */
export function selectStreamEvents(
  events: readonly StoredEvent[],
  options: ReadStreamOptions,
): StoredEvent[] {
  const backward = options.direction === 'backward';
  let selected = events.filter((e) =>
    options.fromVersion === undefined
      ? true
      : backward
        ? e.version <= options.fromVersion
        : e.version >= options.fromVersion,
  );
  if (backward) selected = selected.reverse();
  return options.maxCount === undefined ? selected : selected.slice(0, options.maxCount);
}

/** Checkpoints of stores that order the log by position alone are the position as text. */
export function parsePositionCheckpoint(checkpoint: string | undefined): number {
  if (checkpoint === undefined) return 0;
  const position = Number(checkpoint);
  if (!Number.isSafeInteger(position) || position < 0) {
    throw new InvalidCheckpointError(checkpoint);
  }
  return position;
}
