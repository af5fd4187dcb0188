import { InvalidCheckpointError } from '../event-store/errors/invalid-checkpoint.error.js';
import type { LogCheckpoint } from '../event-store/event-store.types.js';

/**
 * Orders two checkpoints of the same store: negative, zero or positive as `a` is before, at or
 * after `b`. Checkpoints are opaque to callers, but every store in this library writes them as
 * numbers joined by ':' ordered left to right (`position`, or `txid:position` on PostgreSQL).
 */
export function compareCheckpoints(a: LogCheckpoint, b: LogCheckpoint): number {
  const left = parts(a);
  const right = parts(b);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i] ?? 0n;
    const y = right[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function parts(checkpoint: LogCheckpoint): bigint[] {
  if (!/^\d+(:\d+)*$/.test(checkpoint)) throw new InvalidCheckpointError(checkpoint);
  return checkpoint.split(':').map((part) => BigInt(part));
}
