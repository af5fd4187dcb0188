import type { EventMetadata } from '../../core/event-store.types.js';

/** What a custom `partitionBy` function receives: the stored event, its payload as JSON. */
export interface PartitionEvent {
  streamId: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

/**
 * How a partitioned projection splits the log: `'stream'` (each stream is a key) or a function
 * that returns the key of an event (for example `(e) => e.data.customerId`).
 */
export type PartitionBy = 'stream' | ((event: PartitionEvent) => string);

/** The longest partition key (it is a column of `<prefix>projection_parked`). */
export const MAX_PARTITION_KEY_LENGTH = 255;

/**
 * 32-bit FNV-1a over the key's UTF-8 bytes. Stable across processes, Node versions and machines
 * (unlike a language's own string hash), so every instance agrees on which bucket owns a key and a
 * bucket keeps its keys across restarts.
 */
export function fnv1a(key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The bucket (0 .. partitions-1) that handles the events of `key`. */
export function partitionOf(key: string, partitions: number): number {
  return fnv1a(key) % partitions;
}

/** The worker (and checkpoint) name of one bucket: `<projection>#<index>`. */
export function bucketName(projection: string, index: number): string {
  return `${projection}#${index}`;
}

/**
 * The partition key of a stored event. Throws when a custom function returns no usable key (the
 * bucket then fails like an unpartitioned projection: the key, not the event, is what is wrong).
 */
export function partitionKeyOf(
  event: PartitionEvent,
  partitionBy: PartitionBy,
  projection: string,
): string {
  if (partitionBy === 'stream') return event.streamId;
  const key = partitionBy({
    streamId: event.streamId,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
  });
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_PARTITION_KEY_LENGTH) {
    throw new TypeError(
      `the partitionBy function of projection "${projection}" returned ${JSON.stringify(key)} ` +
        `for event ${event.type} of stream ${event.streamId}; return a non-empty string of at ` +
        `most ${MAX_PARTITION_KEY_LENGTH} characters for every event the projection handles`,
    );
  }
  return key;
}

/** What the reset hook of a partitioned projection is told about the bucket being reset. */
export interface PartitionScope {
  /** The bucket being reset (0 .. count-1). */
  index: number;
  /** How many buckets the projection has. */
  count: number;
  /** Whether a key belongs to this bucket: delete only the rows of keys it owns. */
  owns(key: string): boolean;
}

export function partitionScope(index: number, count: number): PartitionScope {
  return { index, count, owns: (key) => partitionOf(key, count) === index };
}
