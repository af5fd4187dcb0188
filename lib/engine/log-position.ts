import type { LogCheckpoint } from '../core/event-store.types.js';

/** The global position in a checkpoint (the last number: PostgreSQL's hold `<xid>:<position>`). */
export function positionOf(checkpoint: LogCheckpoint | undefined): number {
  if (checkpoint === undefined) return 0;
  const position = Number(checkpoint.slice(checkpoint.lastIndexOf(':') + 1));
  return Number.isFinite(position) ? position : 0;
}
