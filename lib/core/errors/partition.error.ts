import { EventSourcingError } from './event-sourcing.error.js';

/** An operation on the partitions of a projection cannot run: the message says why and what to do. */
export class PartitionError extends EventSourcingError {
  constructor(
    readonly projection: string,
    message: string,
  ) {
    super(message);
  }

  static notPartitioned(projection: string, partitioned: string[]): PartitionError {
    return new PartitionError(
      projection,
      `projection "${projection}" is not partitioned (no partitionBy in @Projection); ` +
        `partitioned projections: ${partitioned.join(', ') || '(none)'}`,
    );
  }

  static unknownPartition(projection: string, partitions: number, got: unknown): PartitionError {
    return new PartitionError(
      projection,
      `projection "${projection}" has partitions 0 to ${partitions - 1}; got ${String(got)}`,
    );
  }

  static blueGreen(projection: string): PartitionError {
    return new PartitionError(
      projection,
      `projection "${projection}" is partitioned: rebuild it in place (all buckets, or one with ` +
        '{ partition }); a blue/green rebuild of partitioned projections is not supported',
    );
  }
}
