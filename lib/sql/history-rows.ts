import type { AggregateHistory, HistoryEvent } from '../core/aggregate-history.js';
import type { Snapshot } from '../core/snapshot-store.js';

/** The rows of the dialect's `historySql` (JSON as text), each decoded once. */
export function decodeHistory(
  streamId: string,
  records: readonly Record<string, unknown>[],
): AggregateHistory {
  let snapshot: Snapshot | undefined;
  const events = new Array<HistoryEvent>(records.length);
  let count = 0;
  for (const row of records) {
    if (row.kind === 's') {
      const state = JSON.parse(row.data as string) as unknown;
      snapshot = { streamId, version: Number(row.version), revision: Number(row.revision), state };
      continue;
    }
    events[count++] = {
      streamId,
      version: Number(row.version),
      type: row.type as string,
      data: JSON.parse(row.data as string) as unknown,
      metadata: JSON.parse(row.metadata as string) as HistoryEvent['metadata'],
    };
  }
  events.length = count;
  return { snapshot, events };
}
