import type { AggregateHistory, HistoryEvent } from '../core/aggregate-history.js';
import type { Snapshot } from '../core/snapshot-store.js';

/**
 * Decodes the rows of the dialect's `historySql` (JSON as text) one at a time, each once, as they
 * arrive: a driver that streams rows (mysql2) hands each to `add` while the next ones are still on
 * the wire, so parsing overlaps the database's work.
 */
export class HistoryDecoder {
  private snapshot: Snapshot | undefined;
  private readonly events: HistoryEvent[] = [];

  constructor(private readonly streamId: string) {}

  /** Takes one row; bound, so it can be handed to a driver as a callback. */
  readonly add = (row: Record<string, unknown>): void => {
    if (row.kind === 's') {
      const state = JSON.parse(row.data as string) as unknown;
      this.snapshot = {
        streamId: this.streamId,
        version: Number(row.version),
        revision: Number(row.revision),
        state,
      };
      return;
    }
    this.events.push(historyEvent(this.streamId, row));
  };

  result(): AggregateHistory {
    return { snapshot: this.snapshot, events: this.events };
  }
}

/** The rows of the dialect's `historySql` (JSON as text), decoded after they all arrived. */
export function decodeHistory(
  streamId: string,
  records: readonly Record<string, unknown>[],
): AggregateHistory {
  const decoder = new HistoryDecoder(streamId);
  for (const row of records) decoder.add(row);
  return decoder.result();
}

function historyEvent(streamId: string, row: Record<string, unknown>): HistoryEvent {
  return {
    streamId,
    version: Number(row.version),
    type: row.type as string,
    data: JSON.parse(row.data as string) as unknown,
    metadata: JSON.parse(row.metadata as string) as HistoryEvent['metadata'],
  };
}
