import { assertValidCheckpoint } from './checkpoint.js';
import { InvalidReadOptionsError } from './errors/invalid-read-options.error.js';
import type { ReadAllOptions, ReadStreamOptions } from './event-store.types.js';
import { MAX_PAGE_SIZE, MAX_STREAM_VERSION } from './limits.js';
import { isWellFormedText } from './well-formed-text.js';

/**
 * Checks the options of `readStream` before any store uses them, so every store refuses the same
 * values (a negative LIMIT reads everything on SQLite, a huge version is a raw driver error on
 * PostgreSQL).
 */
export function assertValidReadStreamOptions(
  options: unknown,
): asserts options is ReadStreamOptions {
  if (options === undefined) return;
  const o = asOptions(options, 'readStream');
  assertMaxCount(o.maxCount);
  const { fromVersion, direction } = o;
  if (
    fromVersion !== undefined &&
    !(
      Number.isInteger(fromVersion) &&
      (fromVersion as number) >= 0 &&
      (fromVersion as number) <= MAX_STREAM_VERSION
    )
  ) {
    throw new InvalidReadOptionsError(
      'fromVersion',
      fromVersion,
      `use a whole number from 0 to ${MAX_STREAM_VERSION}, or omit it`,
    );
  }
  if (direction !== undefined && direction !== 'forward' && direction !== 'backward') {
    throw new InvalidReadOptionsError('direction', direction, "use 'forward' or 'backward'");
  }
}

/** Checks the options of `readAll`; the checkpoint's form is checked by each store's parser. */
export function assertValidReadAllOptions(options: unknown): asserts options is ReadAllOptions {
  if (options === undefined) return;
  const o = asOptions(options, 'readAll');
  assertMaxCount(o.maxCount);
  assertValidCheckpoint(o.after);
  for (const name of ['types', 'categories'] as const) {
    const list = o[name];
    if (list === undefined) continue;
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string' && isWellFormedText(x))) {
      throw new InvalidReadOptionsError(name, list, 'use a list of names (strings), or omit it');
    }
  }
}

function asOptions(options: unknown, method: string): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidReadOptionsError('options', options, `pass an options object to ${method}()`);
  }
  return options as Record<string, unknown>;
}

function assertMaxCount(maxCount: unknown): void {
  if (maxCount === undefined) return;
  if (
    Number.isInteger(maxCount) &&
    (maxCount as number) >= 1 &&
    (maxCount as number) <= MAX_PAGE_SIZE
  ) {
    return;
  }
  throw new InvalidReadOptionsError(
    'maxCount',
    maxCount,
    `use a whole number from 1 to ${MAX_PAGE_SIZE} (the largest page), or omit it`,
  );
}
