import { EventSourcingError } from './event-sourcing.error.js';

/**
 * A partitioned projection asked for the projection state (`ctx.getState` / `ctx.setState`). Its
 * buckets each keep a checkpoint, and a state shared by the keys that happen to hash to one bucket
 * would change meaning with the number of partitions (and could not follow a parked key's retry).
 */
export class PartitionedProjectionStateError extends EventSourcingError {
  constructor(
    readonly projection: string,
    readonly method: 'getState' | 'setState',
  ) {
    super(
      `partitioned projection "${projection}" called ctx.${method}(), but partitioned projections ` +
        'keep no projection state; keep per-key state in the read model through ctx.manager, or ' +
        'drop partitionBy',
    );
  }
}
