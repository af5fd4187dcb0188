import type { LogCheckpoint } from '../core/event-store.types.js';
import type { WorkerProgress } from '../engine/worker-host.js';
import type { ProjectionRunner } from './projection-runner.js';

/** What a projection is doing, as `ProjectionManager.status()` reports it. */
export type ProjectionState =
  'running' | 'catching-up' | 'stopped' | 'failed' | 'rebuilding' | 'inline';

/** One projection's state, position and lag, from `ProjectionManager.status()`. */
export interface ProjectionStatus {
  name: string;
  mode: 'async' | 'inline';
  state: ProjectionState;
  /** The last committed checkpoint (undefined: nothing processed yet). */
  checkpoint: LogCheckpoint | undefined;
  /** Global position of the last committed event, and of the newest event in the store. */
  position: number;
  headPosition: number;
  /** Events between the checkpoint and the head of the log (an estimate on PostgreSQL). */
  lag: number;
  /** Whether this process holds the projection's lease (only the holder processes events). */
  isLeaseOwner: boolean;
  /** The instance holding the lease now, in any process (undefined: nobody; inline: never). */
  leaseOwner?: string;
  /**
   * How long a transaction has been holding every reader of the log back (nothing is lost, only
   * delayed): on PostgreSQL a write transaction of this database, on MySQL/MariaDB the one holding
   * the append lock. Undefined on SQLite and in memory.
   */
  heldBackMs?: number;
  lastError?: string;
  failedAt?: Date;
  failedPosition?: number;
  /** Partitioned projections: each bucket (position, lag and state above are the slowest's). */
  partitions?: ProjectionPartitionStatus[];
  /** Partitioned projections: how many keys are parked (`ProjectionManager.parked(name)`). */
  parked?: number;
}

/** One bucket of a partitioned projection. */
export interface ProjectionPartitionStatus {
  /** 0 .. partitions-1; its worker and checkpoint are named `<projection>#<index>`. */
  index: number;
  name: string;
  state: ProjectionState;
  position: number;
  lag: number;
  /** The instance holding the bucket's lease (undefined: nobody now). */
  leaseOwner?: string;
  isLeaseOwner: boolean;
  lastError?: string;
}

/** The status of a projection with one worker (or none: inline ones follow the head by design). */
export function unpartitionedStatus(
  runner: ProjectionRunner,
  { state, failed, ...progress }: WorkerProgress,
  headPosition: number,
  rebuilding: boolean,
): ProjectionStatus {
  const inline = runner.metadata.mode === 'inline';
  return {
    name: runner.name,
    mode: runner.metadata.mode,
    ...progress,
    state: inline ? 'inline' : failed ? 'failed' : rebuilding ? 'rebuilding' : state,
    position: inline ? headPosition : progress.position,
    lag: inline ? 0 : progress.lag,
  };
}
