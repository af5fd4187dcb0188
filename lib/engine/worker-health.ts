/** What the health indicator reports for one projection, saga or forwarder worker. */
export interface WorkerHealth {
  name: string;
  kind: 'projection' | 'saga' | 'forwarder';
  /** As in `ProjectionManager.status()` / `SagaManager.status()` / `EventForwarders.status()`. */
  state: string;
  /** Events between the worker's checkpoint and the head of the log. */
  lagEvents: number;
  /** Age of the oldest event the worker has not passed yet (0 when it is at the head). */
  lagMs: number;
  /** How long a transaction has been holding the worker back (see `heldBackWarningMs`). */
  heldBackMs: number;
  /**
   * Saga events given up on (waiting for `SagaManager.retry`), or the keys a partitioned projection
   * parked (waiting for `ProjectionManager.retryPartition`); 0 for other projections.
   */
  parkedEvents: number;
  /** The owner id of the runner holding the worker's lease now (any process), if any. */
  leaseHolder: string | undefined;
  /**
   * Forwarders: since when the broker has not confirmed (set in the instance that holds the
   * forwarder's lease while it retries; absent while the broker confirms).
   */
  stalledSince?: Date;
  /** Forwarders: the last publishing or batch error seen in this process. */
  lastError?: string;
  /** Why this worker makes the indicator `down` (absent when it does not). */
  problem?: string;
}

/** When `EventSourcingHealthIndicator` reports a worker down. */
export interface EventSourcingHealthThresholds {
  /** Down when a worker is more events than this behind the head. @default 10000 */
  maxLagEvents?: number;
  /** Down when the oldest event a worker has not passed is older than this. @default 60000 */
  maxLagMs?: number;
  /** Down when a transaction has held the workers back longer than this. @default 60000 */
  maxHeldBackMs?: number;
  /** Down when a saga has more parked events than this. @default Infinity (parked events alone are not down) */
  maxParkedEvents?: number;
  /**
   * Down when a forwarder has been stalled (its broker not confirming) longer than this; shorter
   * outages (a broker restart) only show as `state: 'stalled'`. @default 30000
   */
  maxStalledMs?: number;
}

export type ResolvedHealthThresholds = Required<EventSourcingHealthThresholds>;

/**
 * Where the health of every worker is read from (the DI token of lib/nest's health indicator), so
 * that metrics and health report the same numbers.
 */
export abstract class WorkerHealthSource {
  abstract workers(): Promise<WorkerHealth[]>;
}
