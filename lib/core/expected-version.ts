import { ConcurrencyError } from './errors/concurrency.error.js';
import { InvalidExpectedVersionError } from './errors/invalid-expected-version.error.js';
import type { ExpectedVersion } from './event-store.types.js';
import { MAX_STREAM_VERSION } from './limits.js';

export function assertValidExpectedVersion(value: unknown): asserts value is ExpectedVersion {
  if (value === 'any' || value === 'no_stream' || value === 'stream_exists') return;
  // Beyond MAX_STREAM_VERSION no stream can be; the version column would refuse the number.
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 0 &&
    value <= MAX_STREAM_VERSION
  ) {
    return;
  }
  throw new InvalidExpectedVersionError(value);
}

/** Whether a stream at `actual` satisfies `expected`. */
export function satisfiesExpectedVersion(expected: ExpectedVersion, actual: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === 0;
  if (expected === 'stream_exists') return actual > 0;
  return actual === expected;
}

export function assertExpectedVersion(
  streamId: string,
  expected: ExpectedVersion,
  actual: number,
): void {
  if (!satisfiesExpectedVersion(expected, actual)) {
    throw new ConcurrencyError(streamId, expected, actual);
  }
}
