import { InvalidCheckpointError } from './errors/invalid-checkpoint.error.js';
import type { LogCheckpoint } from './event-store.types.js';

/**
 * Checkpoints: parsed, compared and written only here. Every store writes them as whole numbers
 * in canonical decimal form (no sign, no leading zero, no spaces): `position` where the log is
 * ordered by position alone (in-memory, SQLite, MySQL/MariaDB), `txid:position` on PostgreSQL.
 * Anything else is an `InvalidCheckpointError` before a query runs, so no database sees a value
 * it would reinterpret (a huge number read as "nothing after it", text cast to a number).
 * Outside this module a checkpoint is an opaque string.
 */

/** Positions become JavaScript numbers (`StoredEvent.globalPosition`), so they stay exact. */
const MAX_POSITION = BigInt(Number.MAX_SAFE_INTEGER);
/** PostgreSQL's `xid8` is an unsigned 64-bit integer. */
const MAX_TRANSACTION_ID = 2n ** 64n - 1n;
const CANONICAL = /^(0|[1-9]\d{0,19})(?::(0|[1-9]\d{0,19}))?$/;

/** The start of the log, before every event, in any store (`'0'` compares equal to `'0:0'`). */
export const START_CHECKPOINT: LogCheckpoint = '0';

/** A checkpoint split into its numbers: `[position]` or `[transactionId, position]`. */
export function checkpointParts(checkpoint: unknown): bigint[] {
  const match = typeof checkpoint === 'string' ? CANONICAL.exec(checkpoint) : null;
  if (!match) throw new InvalidCheckpointError(checkpoint);
  const parts = match[2] === undefined ? [BigInt(match[1])] : [BigInt(match[1]), BigInt(match[2])];
  const position = parts[parts.length - 1];
  if (position > MAX_POSITION) throw new InvalidCheckpointError(checkpoint);
  if (parts.length === 2 && parts[0] > MAX_TRANSACTION_ID) {
    throw new InvalidCheckpointError(checkpoint);
  }
  return parts;
}

/** Checks an optional `after` given to `readAll`: undefined (from the start) or a checkpoint. */
export function assertValidCheckpoint(checkpoint: unknown): void {
  if (checkpoint !== undefined) checkpointParts(checkpoint);
}

/** A checkpoint of a store that orders the log by position alone; undefined is the start (0). */
export function parsePositionCheckpoint(checkpoint: unknown): number {
  if (checkpoint === undefined) return 0;
  const parts = checkpointParts(checkpoint);
  if (parts.length !== 1) throw new InvalidCheckpointError(checkpoint);
  return Number(parts[0]);
}

/**
 * A PostgreSQL checkpoint `txid:position` as decimal texts (bound as parameters and cast in SQL);
 * undefined is the start.
 */
export function parseTransactionCheckpoint(checkpoint: unknown): [string, string] {
  if (checkpoint === undefined) return ['0', '0'];
  const parts = checkpointParts(checkpoint);
  if (parts.length !== 2) throw new InvalidCheckpointError(checkpoint);
  return [String(parts[0]), String(parts[1])];
}

/**
 * The checkpoint of an event: its global position, preceded on PostgreSQL by the id of the
 * transaction that wrote it. Accepts what drivers return (numbers, bigints or decimal strings).
 */
export function formatCheckpoint(
  position: number | bigint | string,
  transactionId?: number | bigint | string,
): LogCheckpoint {
  return transactionId === undefined
    ? String(position)
    : `${String(transactionId)}:${String(position)}`;
}

/**
 * The global position in a checkpoint (its last number); undefined, the start, is 0. For
 * progress and lag figures, which count positions on every store.
 */
export function positionOf(checkpoint: LogCheckpoint | undefined): number {
  if (checkpoint === undefined) return 0;
  const parts = checkpointParts(checkpoint);
  return Number(parts[parts.length - 1]);
}

/**
 * Orders two checkpoints of the same store: negative, zero or positive as `a` is before, at or
 * after `b`. Compares number by number, exactly beyond 2^53.
 */
export function compareCheckpoints(a: LogCheckpoint, b: LogCheckpoint): number {
  const left = checkpointParts(a);
  const right = checkpointParts(b);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i] ?? 0n;
    const y = right[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
