import { randomUUID } from 'node:crypto';
import {
  DEFAULT_BACKOFF_MS,
  DEFAULT_BATCH_SIZE,
  DEFAULT_LEASE_TTL_MS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_POLL_INTERVAL_MS,
} from '../core/defaults.js';
import { hostname } from 'node:os';
import { Logger } from '@nestjs/common';
import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import type { EventStore } from '../core/event-store.js';
import type { LogCheckpoint, LogEvent } from '../core/event-store.types.js';
import type { SubscriptionFailure } from '../core/errors/subscription-failed.error.js';
import type { SubscriptionStore } from '../core/subscription-store.js';
import type { TransactionHandle } from '../core/transaction-handle.js';
import type { UnitOfWork } from '../core/unit-of-work.js';
import type { WorkerBalancer } from './worker-balancer.js';
import { backoffDelay } from '../core/backoff.js';

/** What the handler gets with each batch. */
export interface SubscriptionContext {
  /**
   * The batch's transaction (a TypeORM `EntityManager` on a SQL store): write the read model
   * through it and the writes commit together with the checkpoint. Undefined in memory.
   */
  manager?: TransactionHandle;
  /** The subscription's name. */
  subscription: string;
  /** The projection's own state as last committed (undefined when none). */
  state: unknown;
  /** Replaces the projection's state; stored (as JSON) with this batch's checkpoint. */
  setState(state: unknown): void;
  /** Tells which event of the batch is being handled, so a failure names it (else the first). */
  handling(event: LogEvent): void;
}

/** Called once per batch, in log order. Throwing rolls the batch back; it is then retried. */
export type SubscriptionHandler = (events: LogEvent[], ctx: SubscriptionContext) => Promise<void>;

export interface SubscriptionRetryOptions {
  /** Attempts per batch before the subscription is marked failed. @default 5 */
  maxAttempts?: number;
  /**
   * Wait before attempt n+1: a base in ms doubled after each attempt (100, 200, 400, ...), or a
   * function of the attempt that just failed (1-based). @default 100
   */
  backoffMs?: number | ((attempt: number) => number);
}

/** Where the subscription reports retries and failures; Nest's `Logger` fits. */
export interface SubscriptionLogger {
  log(message: string): void;
  warn(message: string): void;
  /** `stack`: the failing error's stack, when there is one. */
  error(message: string, stack?: string): void;
}

export interface SubscriptionOptions {
  /** Unique name: the key of the checkpoint and of the lease. Up to 255 characters. */
  name: string;
  eventStore: EventStore;
  subscriptionStore: SubscriptionStore;
  handler: SubscriptionHandler;
  /** Events per batch (and per handler call). @default 100 */
  batchSize?: number;
  /** How often it looks for new events, and for a free lease when another owner holds it. @default 250 */
  pollIntervalMs?: number;
  /** Only events of these types (skipped in the store's query). */
  types?: readonly string[];
  /** Only events of streams in these categories. */
  categories?: readonly string[];
  /** This runner's lease owner id, unique per process. @default `${hostname}:${pid}:${random}` */
  owner?: string;
  /** How long a lease lasts without renewal; renewed every third of it. @default 10000 */
  leaseTtlMs?: number;
  retry?: SubscriptionRetryOptions;
  /** How each batch commits. @default subscriptionStore.unitOfWork() */
  unitOfWork?: UnitOfWork;
  /** @default new Logger(`Subscription ${name}`) */
  logger?: SubscriptionLogger;
  /**
   * Shares the leases of an application's workers evenly across its instances (the module passes
   * one). Without it, a runner takes every lease it can.
   */
  balancer?: WorkerBalancer;
}

/** `running`: at the end of the log (or waiting for the lease); `catching-up`: behind it. */
export type SubscriptionStatusState = 'running' | 'catching-up' | 'stopped' | 'failed';

export interface SubscriptionStatus {
  name: string;
  state: SubscriptionStatusState;
  /** The last checkpoint this runner committed or loaded (undefined: the start of the log). */
  checkpoint: LogCheckpoint | undefined;
  owner: string;
  /** Whether this runner holds the lease (only the holder processes events). */
  isLeaseOwner: boolean;
  /** The last error seen: a handler error (retried or final) or an infrastructure error. */
  lastError: string | undefined;
  /** Set when the state is `failed`. */
  failure: SubscriptionFailure | undefined;
}

export interface WaitForCatchUpOptions {
  /** @default 30000 */
  timeoutMs?: number;
}

export interface StopOptions {
  /**
   * Give the lease up so another runner takes over at once. `false` leaves it to expire, as a
   * crashed process would. @default true
   */
  releaseLease?: boolean;
}

export interface ResolvedSubscriptionOptions {
  name: string;
  eventStore: EventStore;
  subscriptionStore: SubscriptionStore;
  handler: SubscriptionHandler;
  batchSize: number;
  pollIntervalMs: number;
  types: readonly string[] | undefined;
  categories: readonly string[] | undefined;
  owner: string;
  leaseTtlMs: number;
  maxAttempts: number;
  backoff: (attempt: number) => number;
  unitOfWork: UnitOfWork;
  logger: SubscriptionLogger;
  balancer: WorkerBalancer | undefined;
}

export function resolveSubscriptionOptions(o: SubscriptionOptions): ResolvedSubscriptionOptions {
  if (typeof o.name !== 'string' || o.name.length === 0 || o.name.length > 255) {
    throw new InvalidOptionsError('name', 'a subscription needs a name of 1 to 255 characters');
  }
  const owner =
    o.owner ?? o.balancer?.instanceId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  if (owner.length === 0 || owner.length > 255) {
    throw new InvalidOptionsError('owner', 'the lease owner id must be 1 to 255 characters');
  }
  const base = o.retry?.backoffMs ?? DEFAULT_BACKOFF_MS;
  if (typeof base === 'number') positive('retry.backoffMs', base, 0);
  return {
    name: o.name,
    eventStore: o.eventStore,
    subscriptionStore: o.subscriptionStore,
    handler: o.handler,
    batchSize: positive('batchSize', o.batchSize ?? DEFAULT_BATCH_SIZE),
    pollIntervalMs: positive('pollIntervalMs', o.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS),
    types: o.types,
    categories: o.categories,
    owner,
    leaseTtlMs: positive('leaseTtlMs', o.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS, 3),
    maxAttempts: positive('retry.maxAttempts', o.retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
    backoff: typeof base === 'number' ? (attempt) => backoffDelay(attempt, base) : base,
    unitOfWork: o.unitOfWork ?? o.subscriptionStore.unitOfWork(),
    logger: o.logger ?? new Logger(`Subscription ${o.name}`),
    balancer: o.balancer,
  };
}

function positive(option: string, value: number, min = 1): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new InvalidOptionsError(option, `must be an integer of at least ${min} (got ${value})`);
  }
  return value;
}
