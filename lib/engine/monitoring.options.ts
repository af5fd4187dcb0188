import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';

/** @default 30 s: long enough for a normal write transaction, short enough to act on. */
export const DEFAULT_HELD_BACK_WARNING_MS = 30_000;

/** Checks `heldBackWarningMs` of the module options. */
export function validateHeldBackWarningMs(value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidOptionsError(
      'heldBackWarningMs',
      `${JSON.stringify(value) ?? 'undefined'} must be a whole number of milliseconds >= 1 (default ${DEFAULT_HELD_BACK_WARNING_MS})`,
    );
  }
}

/** How often the holder is looked for: often enough to warn close to the threshold. */
export function heldBackCheckIntervalMs(warnAfterMs: number): number {
  return Math.min(5_000, Math.max(50, Math.floor(warnAfterMs / 4)));
}
