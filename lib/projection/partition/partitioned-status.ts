import { compareCheckpoints } from '../../core/checkpoint.js';
import type { LogCheckpoint } from '../../core/event-store.types.js';
import type { ParkedPartitionStore } from '../../core/parked-partition-store.js';
import type { SubscriptionRecord, SubscriptionStore } from '../../core/subscription-store.js';
import type {
  ProjectionPartitionStatus,
  ProjectionState,
  ProjectionStatus,
} from '../projection-status.js';
import { positionOf } from '../../core/checkpoint.js';
import type { PartitionedProjection } from './partitioned-projection.js';

/** The status of a partitioned projection: each bucket, and the whole as its slowest bucket. */
export async function partitionedStatus(
  projection: PartitionedProjection,
  subscriptions: SubscriptionStore,
  parked: ParkedPartitionStore,
  head: number,
  heldBackMs: number | undefined,
): Promise<ProjectionStatus> {
  const partitions: ProjectionPartitionStatus[] = [];
  let slowestCheckpoint: LogCheckpoint | undefined;
  let first = true;
  for (const bucket of projection.buckets) {
    const record = await subscriptions.load(bucket.name);
    const live = bucket.subscription.status();
    const checkpoint = live.checkpoint ?? record?.checkpoint;
    const position = positionOf(checkpoint);
    if (first || isBefore(checkpoint, slowestCheckpoint)) slowestCheckpoint = checkpoint;
    first = false;
    partitions.push(bucketStatus(projection, bucket, record, position, head));
  }
  const slowest = Math.min(...partitions.map((p) => p.position));
  const failed = partitions.find((p) => p.state === 'failed');
  return {
    name: projection.name,
    mode: 'async',
    state: overall(partitions.map((p) => p.state)),
    checkpoint: slowestCheckpoint, // the slowest bucket's
    position: slowest,
    headPosition: head,
    lag: Math.max(0, head - slowest),
    isLeaseOwner: partitions.some((p) => p.isLeaseOwner),
    heldBackMs,
    ...(failed?.lastError && { lastError: `partition ${failed.index}: ${failed.lastError}` }),
    partitions,
    parked: (await parked.list(projection.name)).length,
  };
}

/** One bucket: its own worker's view, or what the process running it stored. */
function bucketStatus(
  projection: PartitionedProjection,
  bucket: PartitionedProjection['buckets'][number],
  record: SubscriptionRecord | undefined,
  position: number,
  head: number,
): ProjectionPartitionStatus {
  const live = bucket.subscription.status();
  const failed = live.state === 'failed' || record?.state === 'failed';
  const current = (record?.leaseExpiresAt?.getTime() ?? 0) > Date.now();
  // Run by another process (the operator CLI's buckets are idle): what that process stored.
  const elsewhere = current && !live.isLeaseOwner && record?.state === 'running';
  return {
    index: bucket.index,
    name: bucket.name,
    state: failed
      ? 'failed'
      : projection.isRebuilding()
        ? 'rebuilding'
        : elsewhere && live.state === 'stopped'
          ? 'running'
          : live.state,
    position,
    lag: Math.max(0, head - position),
    ...(current && record?.leaseOwner && { leaseOwner: record.leaseOwner }),
    isLeaseOwner: live.isLeaseOwner,
    ...((live.lastError ?? record?.lastError) && {
      lastError: live.lastError ?? record?.lastError,
    }),
  };
}

function overall(states: ProjectionState[]): ProjectionState {
  for (const state of ['failed', 'rebuilding', 'catching-up', 'running'] as const) {
    if (states.includes(state)) return state;
  }
  return 'stopped';
}

/** Whether `a` is earlier in the log than `b` (undefined: the start of the log). */
function isBefore(a: LogCheckpoint | undefined, b: LogCheckpoint | undefined): boolean {
  if (a === undefined) return b !== undefined;
  return b !== undefined && compareCheckpoints(a, b) < 0;
}
