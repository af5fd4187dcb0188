import { randomUUID } from 'node:crypto';
import {
  DEFAULT_CATCH_UP_TIMEOUT_MS,
  DEFAULT_LEASE_TTL_MS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_POLL_INTERVAL_MS,
} from '../core/defaults.js';
import { errorMessage } from '../core/error-message.js';
import { hostname } from 'node:os';
import { ScheduledMessagesTimeoutError } from '../core/errors/scheduled-messages-timeout.error.js';
import type { LogCheckpoint } from '../core/event-store.types.js';
import { compareCheckpoints, START_CHECKPOINT } from '../core/checkpoint.js';
import { LeaseKeeper } from '../engine/lease-keeper.js';
import { Sleeper } from '../engine/sleeper.js';
import type { SubscriptionLogger } from '../engine/subscription.options.js';
import type { SubscriptionStore } from '../core/subscription-store.js';
import type { Clock } from '../core/clock.js';
import { SCHEDULER_LEASE } from './saga.constants.js';
import type { ScheduledMessage, ScheduledMessageStore } from '../core/scheduled-message-store.js';
import { backoffDelay } from '../core/backoff.js';

const MAX_ERROR_DELAY_MS = 30_000;

export interface MessageSchedulerOptions {
  store: ScheduledMessageStore;
  /** Where the scheduler's lease lives (one active scheduler across processes). */
  leases: SubscriptionStore;
  clock: Clock;
  /** Delivers one due message; throwing counts as a failed attempt. */
  deliver: (message: ScheduledMessage) => Promise<void>;
  /** The head of the log now (`EventStore.headCheckpoint`). */
  head: () => Promise<LogCheckpoint>;
  /** How far the saga that scheduled a message has handled the log (undefined: not at all). */
  progressOf: (saga: string) => Promise<LogCheckpoint | undefined>;
  logger: SubscriptionLogger;
  /** @default `${hostname}:${pid}:${random}` */
  owner?: string;
  /** @default 10000 */
  leaseTtlMs?: number;
  /** How often it looks for due messages (real time). @default 250 */
  pollIntervalMs?: number;
  /** Due messages read at a time. @default 50 */
  batchSize?: number;
  /** Delivery attempts before a message is marked failed. @default 5 */
  maxAttempts?: number;
  /** Wait (by the clock) before the second attempt, doubled after each attempt. @default 1000 */
  backoffMs?: number;
}

/**
 * Delivers scheduled messages when they are due by the injectable clock, in order with the log:
 * once a message is due it records the head of the log (`waitsFor`), and delivers it only after
 * its saga's checkpoint has reached that head, so a saga that lags handles every event committed
 * before the due time first. Messages of a saga that lags wait; others go on. Only the holder of the
 * `$scheduler` lease delivers, so one scheduler is active across processes; when it dies another
 * takes over after the lease expires. A message is marked delivered after its delivery returned:
 * a crash in between delivers it again (commands carry deterministic ids).
 */
export class MessageScheduler {
  private readonly lease: LeaseKeeper;
  private readonly wakeup = new Sleeper();
  private readonly progress = new Sleeper();
  private readonly o: Required<Omit<MessageSchedulerOptions, 'owner'>>;
  private loop: Promise<void> | undefined;
  private stopping = false;

  constructor(options: MessageSchedulerOptions) {
    this.o = {
      leaseTtlMs: DEFAULT_LEASE_TTL_MS,
      pollIntervalMs: DEFAULT_POLL_INTERVAL_MS,
      batchSize: 50,
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
      backoffMs: 1000,
      ...options,
    };
    const owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.lease = new LeaseKeeper(
      options.leases,
      SCHEDULER_LEASE,
      owner,
      this.o.leaseTtlMs,
      options.logger,
    );
  }

  get running(): boolean {
    return this.loop !== undefined;
  }

  get isLeaseOwner(): boolean {
    return this.lease.held;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (!this.loop) return;
    this.stopping = true;
    this.wakeup.wake();
    await this.loop;
    this.loop = undefined;
    await this.lease.release().catch((error: unknown) => {
      this.o.logger.warn(`could not release the scheduler lease: ${errorMessage(error)}`);
    });
  }

  /** Looks for due messages now (after the clock moved, say). */
  wake(): void {
    this.wakeup.wake();
  }

  /**
   * Resolves once no pending message is due by the clock, whichever process delivers them.
   * @throws ScheduledMessagesTimeoutError after `timeoutMs`
   */
  async waitUntilIdle(timeoutMs = DEFAULT_CATCH_UP_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.wake();
    for (;;) {
      const due = await this.o.store.due(this.o.clock.now(), 1);
      if (due.length === 0) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new ScheduledMessagesTimeoutError(timeoutMs);
      await this.progress.sleep(Math.min(this.o.pollIntervalMs, left));
    }
  }

  private async run(): Promise<void> {
    let errors = 0;
    while (!this.stopping) {
      try {
        if (!this.lease.held && !(await this.lease.acquire())) {
          await this.wakeup.sleep(this.o.pollIntervalMs);
          continue;
        }
        const more = await this.deliverDue();
        errors = 0;
        this.progress.wake();
        if (!more) await this.wakeup.sleep(this.o.pollIntervalMs);
      } catch (error) {
        errors++;
        const delay = backoffDelay(errors + 1, this.o.pollIntervalMs, {
          maxMs: MAX_ERROR_DELAY_MS,
          maxDoublings: 7,
        });
        this.o.logger.warn(`${errorMessage(error)}; trying again in ${delay} ms`);
        await this.wakeup.sleep(delay);
      }
    }
  }

  /**
   * One pass over the due messages, a page at a time; the messages of a saga still behind the head
   * they wait for are left out of the next pages. True when a full page was delivered (look again).
   */
  private async deliverDue(): Promise<boolean> {
    const now = this.o.clock.now();
    const waiting = new Set<string>();
    const progress = new Map<string, LogCheckpoint>();
    for (;;) {
      let due = await this.o.store.due(now, this.o.batchSize, { exceptSagas: [...waiting] });
      if (due.length === 0) return false;
      if (due.some((m) => m.waitsFor === undefined)) {
        // Read after the messages were due (now >= dueAt): it covers every event committed before.
        await this.o.store.observeHead(now, await this.o.head());
        due = await this.o.store.due(now, this.o.batchSize, { exceptSagas: [...waiting] });
      }
      let delivered = 0;
      for (const message of due) {
        if (this.stopping || !this.lease.held) return false;
        if (waiting.has(message.saga)) continue;
        if (message.waitsFor === undefined) {
          waiting.add(message.saga); // rescheduled meanwhile: it observes the head next pass
          continue;
        }
        let reached = progress.get(message.saga);
        if (reached === undefined) {
          reached = (await this.o.progressOf(message.saga)) ?? START_CHECKPOINT;
          progress.set(message.saga, reached);
        }
        if (compareCheckpoints(reached, message.waitsFor) < 0) {
          waiting.add(message.saga);
          continue;
        }
        await this.deliver(message);
        delivered++;
      }
      if (due.length < this.o.batchSize) return false;
      if (delivered === due.length) return true;
    }
  }

  private async deliver(message: ScheduledMessage): Promise<void> {
    try {
      await this.o.deliver(message);
    } catch (error) {
      const attempts = message.attempts + 1;
      const reason = errorMessage(error);
      if (attempts >= this.o.maxAttempts) {
        this.o.logger.error(
          `scheduled ${message.type} ${message.id} of saga "${message.saga}" failed ${attempts} times: ${reason}; marked failed`,
        );
        await this.o.store.markAttemptFailed(message.id, reason, undefined);
      } else {
        const delay = backoffDelay(attempts, this.o.backoffMs);
        this.o.logger.warn(
          `scheduled ${message.type} ${message.id} of saga "${message.saga}" failed (attempt ${attempts} of ${this.o.maxAttempts}): ${reason}; retrying in ${delay} ms`,
        );
        const retryAt = new Date(this.o.clock.now().getTime() + delay);
        await this.o.store.markAttemptFailed(message.id, reason, retryAt);
      }
      return;
    }
    await this.o.store.markDelivered(message.id);
  }
}
