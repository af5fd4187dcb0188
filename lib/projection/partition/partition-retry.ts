import { compareCheckpoints } from '../../core/checkpoint.js';
import type { EventStore } from '../../core/event-store.js';
import type { LogCheckpoint, StoredEvent } from '../../core/event-store.types.js';
import { SubscriptionFencedError } from '../../core/errors/subscription-fenced.error.js';
import type { ParkedPartition, ParkedPartitionStore } from '../../core/parked-partition-store.js';
import type { SubscriptionStore } from '../../core/subscription-store.js';
import type { TransactionHandle } from '../../core/transaction-handle.js';
import type { UnitOfWork } from '../../core/unit-of-work.js';
import { errorMessage } from '../../core/error-message.js';
import type { Subscription } from '../../engine/subscription.js';

/**
 * What a retry of a parked key did: `resolved` (its events were applied and the key unparked),
 * `failed` (still parked, attempts + 1), `requested` (another instance holds the bucket's lease:
 * it retries on its next look, within about a second), `not-parked`.
 */
export type PartitionRetryOutcome =
  | { state: 'resolved'; events: number }
  | { state: 'failed'; error: string; attempts: number }
  | { state: 'requested'; owner?: string }
  | { state: 'not-parked' };

export interface RetryDeps {
  bucket: {
    name: string;
    subscription: Subscription;
    keyOf(event: StoredEvent): string | undefined;
  };
  key: string;
  /** The projection's event types (the log is read for these only). */
  types: readonly string[];
  leaseTtlMs: number;
  store: EventStore;
  subscriptions: SubscriptionStore;
  parked: ParkedPartitionStore;
  unitOfWork: UnitOfWork;
  apply: (events: StoredEvent[], manager: TransactionHandle | undefined) => Promise<void>;
  logger: { log(message: string): void; warn(message: string): void };
}

/**
 * Applies a parked key's events, from the parked one up to the bucket's checkpoint, in one
 * transaction that also deletes the parked row; the bucket then handles the key's later events as
 * usual. Runs in the process holding the bucket's lease, between its batches: the transaction
 * claims the bucket (lease and unchanged checkpoint, as a batch does), so no batch commits in
 * between. Events are read before the transaction opens (SQLite has one connection).
 */
export async function retryParkedKey(d: RetryDeps): Promise<PartitionRetryOutcome> {
  const projection = d.bucket.name.slice(0, d.bucket.name.lastIndexOf('#'));
  const row = await d.parked.find(projection, d.key);
  if (!row) return { state: 'not-parked' };
  const { owner, isLeaseOwner } = d.bucket.subscription.status();
  if (!isLeaseOwner) return { state: 'requested' };
  const record = await d.subscriptions.load(d.bucket.name);
  const until = record?.checkpoint;
  const events = await eventsToRetry(d, row, until);
  try {
    await d.unitOfWork.run(async ({ manager }) => {
      const fence = { owner, checkpoint: until, ttlMs: d.leaseTtlMs };
      if (!(await d.subscriptions.claimBatch(d.bucket.name, fence, { manager }))) {
        throw new SubscriptionFencedError(d.bucket.name, owner);
      }
      await d.apply(events, manager);
      await d.parked.remove(projection, d.key, { manager });
    });
  } catch (error) {
    if (error instanceof SubscriptionFencedError) {
      // Lease lost or a batch committed in between: the request stays for whoever holds it.
      await d.parked.requestRetry(projection, d.key);
      return { state: 'requested' };
    }
    const message = errorMessage(error);
    await d.parked.retryFailed(projection, d.key, message);
    d.logger.warn(`retry of parked partition "${d.key}" failed again: ${message}`);
    return { state: 'failed', error: message, attempts: row.attempts + 1 };
  }
  d.logger.log(`parked partition "${d.key}" caught up: ${events.length} event(s) applied`);
  return { state: 'resolved', events: events.length };
}

/** The parked event, then the key's events after it up to and including `until`. */
async function eventsToRetry(
  d: RetryDeps,
  row: ParkedPartition,
  until: LogCheckpoint | undefined,
): Promise<StoredEvent[]> {
  const [first] = await d.store.readStream(row.streamId, { fromVersion: row.version, maxCount: 1 });
  const events: StoredEvent[] = first?.eventId === row.eventId ? [first] : [];
  if (until === undefined) return events;
  // The log, not readStream: only the log's checkpoints tell exactly which events the bucket has
  // passed (on PostgreSQL positions are not in commit order). Reads the projection's types only.
  let after = row.checkpoint;
  for (;;) {
    if (compareCheckpoints(after, until) >= 0) return events;
    const page = await d.store.readAll({ after, maxCount: 1000, types: d.types });
    for (const event of page.events) {
      if (compareCheckpoints(event.checkpoint, until) > 0) return events;
      if (keyOrUndefined(d, event) === d.key) events.push(event);
    }
    if (page.isEnd || page.checkpoint === after) return events;
    after = page.checkpoint;
  }
}

/** A key function that throws on another event cannot make that event this key's. */
function keyOrUndefined(d: RetryDeps, event: StoredEvent): string | undefined {
  try {
    return d.bucket.keyOf(event);
  } catch {
    return undefined;
  }
}
