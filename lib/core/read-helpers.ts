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
