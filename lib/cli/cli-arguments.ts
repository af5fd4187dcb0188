import { InvalidArgumentError } from 'commander';

/** `--partition <index>`: a bucket of a partitioned projection. */
export function bucketIndex(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new InvalidArgumentError('a bucket number from 0, e.g. 3 (see "projections status")');
  }
  return parsed;
}

/** `--timeout <minutes>`. */
export function minutes(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) {
    throw new InvalidArgumentError('a number of minutes above 0, e.g. 30 or 0.5');
  }
  return parsed;
}
