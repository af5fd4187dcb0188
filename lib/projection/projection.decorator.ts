import { applyDecorators, Injectable, SetMetadata } from '@nestjs/common';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_POLL_INTERVAL_MS,
} from '../core/defaults.js';
import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import { MAX_PAGE_SIZE } from '../core/limits.js';
import { PROJECTION_METADATA } from './projection.constants.js';
import type { PartitionBy } from './partition/partition-key.js';
import { partitionOptions } from './partition/partition-options.js';

/** The options of `@Projection`. */
export interface ProjectionOptions {
  /**
   * `async` (default): a background worker follows the global log and commits read-model writes
   * and its checkpoint in one transaction per batch. `inline`: handlers run inside the transaction
   * of the repository's append, so the read model is up to date when `save()` returns and a
   * throwing handler fails the save.
   * @default 'async'
   */
  mode?: 'async' | 'inline';
  /** Events per batch (async). @default 100 */
  batchSize?: number;
  /** How often an idle worker looks for new events, in ms (async). @default 250 */
  pollIntervalMs?: number;
  /** Attempts per batch before the projection is marked failed (async). @default 5 */
  maxAttempts?: number;
  /** Skip stored events whose type no class claims instead of failing. @default true */
  skipUnknownEvents?: boolean;
  /**
   * Run as `partitions` buckets (`<name>#<i>`), each handling the keys that hash to it: in
   * parallel, across instances, with a poison event parking only its key. Async only.
   * See "Partitioned projections" in the README.
   */
  partitionBy?: PartitionBy;
  /** Buckets of a partitioned projection, 1 to 64. @default 4 */
  partitions?: number;
}

export interface ProjectionMetadata extends Required<
  Omit<ProjectionOptions, 'mode' | 'partitionBy' | 'partitions'>
> {
  name: string;
  mode: 'async' | 'inline';
  /** Set for a partitioned projection. */
  partitioned?: { by: PartitionBy; partitions: number };
}

const NAME = /^[A-Za-z0-9_.:-]{1,200}$/;

/**
 * Marks a provider as a projection: a read model built from events. The name keys its checkpoint;
 * changing it makes a new projection that starts from the first event.
 *
 * @example @Projection('order_summary') export class OrderSummaryProjection { ... }
 */
export function Projection(name: string, options: ProjectionOptions = {}): ClassDecorator {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new InvalidOptionsError(
      `@Projection(${JSON.stringify(name)})`,
      'the name must be 1 to 200 letters, digits or _ . : -',
    );
  }
  const mode = options.mode ?? 'async';
  if (mode !== 'async' && mode !== 'inline') {
    throw new InvalidOptionsError(`@Projection('${name}') mode`, "use 'async' or 'inline'");
  }
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  // One batch is one readAll page, which the store limits to MAX_PAGE_SIZE events.
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_PAGE_SIZE) {
    throw new InvalidOptionsError(
      `@Projection('${name}') batchSize`,
      `use a whole number from 1 to ${MAX_PAGE_SIZE} (got ${String(batchSize)})`,
    );
  }
  const metadata: ProjectionMetadata = {
    name,
    mode,
    batchSize,
    pollIntervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    skipUnknownEvents: options.skipUnknownEvents ?? true,
    partitioned: partitionOptions(name, mode, options),
  };
  return applyDecorators(Injectable(), SetMetadata(PROJECTION_METADATA, metadata));
}

export function getProjectionMetadata(cls: object): ProjectionMetadata | undefined {
  return Reflect.getMetadata(PROJECTION_METADATA, cls) as ProjectionMetadata | undefined;
}
