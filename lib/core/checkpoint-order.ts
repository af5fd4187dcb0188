import { compareCheckpointParts } from './checkpoint.js';
import type { LogCheckpoint } from './event-store.types.js';

/**
 * Orders two checkpoints of the same store: negative, zero or positive as `a` is before, at or
 * after `b`. Checkpoints are opaque to callers; the one parser lives in event-store/checkpoint.ts.
 */
export function compareCheckpoints(a: LogCheckpoint, b: LogCheckpoint): number {
  return compareCheckpointParts(a, b);
}
