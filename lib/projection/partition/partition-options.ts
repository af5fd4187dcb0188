import { InvalidOptionsError } from '../../core/errors/invalid-options.error.js';
import type { PartitionBy } from './partition-key.js';

export const DEFAULT_PARTITIONS = 4;
export const MAX_PARTITIONS = 64;

/** Checks `partitionBy` / `partitions` of `@Projection` at decoration time. */
export function partitionOptions(
  name: string,
  mode: 'async' | 'inline',
  options: { partitionBy?: PartitionBy; partitions?: number },
): { by: PartitionBy; partitions: number } | undefined {
  const { partitionBy, partitions } = options;
  if (partitionBy === undefined) {
    if (partitions !== undefined) {
      throw new InvalidOptionsError(
        `@Projection('${name}') partitions`,
        "it needs partitionBy too: add partitionBy: 'stream' or a function that returns the key",
      );
    }
    return undefined;
  }
  if (mode === 'inline') {
    throw new InvalidOptionsError(
      `@Projection('${name}') partitionBy`,
      'an inline projection runs inside each append and has no workers to partition; drop ' +
        "partitionBy, or make the projection async (mode: 'async')",
    );
  }
  if (partitionBy !== 'stream' && typeof partitionBy !== 'function') {
    throw new InvalidOptionsError(
      `@Projection('${name}') partitionBy`,
      "use 'stream' or a function (event) => key",
    );
  }
  const count = partitions ?? DEFAULT_PARTITIONS;
  if (!Number.isInteger(count) || count < 1 || count > MAX_PARTITIONS) {
    throw new InvalidOptionsError(
      `@Projection('${name}') partitions`,
      `use a whole number from 1 to ${MAX_PARTITIONS} (got ${String(count)})`,
    );
  }
  return { by: partitionBy, partitions: count };
}
