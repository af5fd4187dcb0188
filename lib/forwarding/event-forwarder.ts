import { Logger } from '@nestjs/common';
import { from, lastValueFrom, timeout, type Observable } from 'rxjs';
import type { LogCheckpoint, LogEvent } from '../core/event-store.types.js';
import { errorMessage } from '../core/error-message.js';
import type { Subscription } from '../engine/subscription.js';
import type { SubscriptionLogger } from '../engine/subscription.options.js';
import type { WorkerHost } from '../engine/worker-host.js';
import { BrokerUnavailableError } from '../core/errors/broker-unavailable.error.js';
import { toForwardedEvent, type ForwardedEvent } from './forwarded-event.js';
import { validateForwarderOptions, type ForwarderOptions } from './event-forwarder.options.js';

/**
 * `forwarding`: at the end of the log or catching up; `stalled`: the broker does not confirm and the
 * batch is being retried; `standby`: another instance holds the lease.
 */
export type ForwarderState =
  'forwarding' | 'catching-up' | 'stalled' | 'standby' | 'stopped' | 'failed';

/** One forwarder's state and position, from `EventForwarders.status()`. */
export interface ForwarderStatus {
  name: string;
  /** The subscription that keeps its checkpoint and lease. */
  subscription: string;
  state: ForwarderState;
  checkpoint: LogCheckpoint | undefined;
  owner: string;
  isLeaseOwner: boolean;
  /** Messages this process published and the broker confirmed (a retried batch counts again). */
  published: number;
  /** Since when the broker has been failing (undefined while it confirms). */
  stalledSince: Date | undefined;
  lastError: string | undefined;
}

/**
 * Publishes stored events to a broker through a `ClientProxy`, in log order (so in order per
 * stream), at least once: a batch's checkpoint commits only after the broker confirmed every event
 * of the batch, so a crash or an outage repeats events and never skips one. Its worker is a
 * checkpointed reader of the global log hosted like a projection's (one lease, one active
 * instance, balanced, woken on commits): this class only decides what the worker does with a batch
 * and how its state reads as a forwarder's.
 */
export class EventForwarder {
  readonly name: string;
  /** The worker that keeps its checkpoint and lease (subscription `forward:<name>`). */
  readonly worker: Subscription;
  private readonly logger: SubscriptionLogger;
  private readonly pattern: (event: ForwardedEvent) => string;
  private readonly publishTimeoutMs: number;
  private published = 0;
  private stalledSince: Date | undefined;

  constructor(
    private readonly options: ForwarderOptions,
    host: WorkerHost,
    logger?: SubscriptionLogger,
  ) {
    validateForwarderOptions(options);
    this.name = options.name;
    this.logger = logger ?? new Logger(`Forwarder ${options.name}`);
    const pattern = options.pattern ?? options.name;
    this.pattern = typeof pattern === 'string' ? () => pattern : pattern;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5000;
    // Made now, not at start: a forwarder counts among the balanced workers from the beginning.
    this.worker = host.worker(this.name, () => ({
      name: `forward:${options.name}`,
      logger: this.logger,
      batchSize: options.batchSize,
      pollIntervalMs: options.pollIntervalMs,
      leaseTtlMs: options.leaseTtlMs,
      categories: options.categories,
      types: options.types,
      handler: (events) => this.publish(events),
    }));
  }

  status(): ForwarderStatus {
    const s = this.worker.status();
    const state: ForwarderState =
      s.state === 'failed' || s.state === 'stopped'
        ? s.state
        : !s.isLeaseOwner
          ? 'standby'
          : this.stalledSince
            ? 'stalled'
            : s.state === 'catching-up'
              ? 'catching-up'
              : 'forwarding';
    return {
      name: this.name,
      subscription: this.worker.name,
      state,
      checkpoint: s.checkpoint,
      owner: s.owner,
      isLeaseOwner: s.isLeaseOwner,
      published: this.published,
      stalledSince: this.stalledSince,
      lastError: s.lastError,
    };
  }

  private async publish(events: LogEvent[]): Promise<void> {
    // One by one: the next event leaves only after the broker confirmed the previous one, so the
    // broker's order is the log's order even across reconnects.
    let count = 0;
    for (const event of events) {
      const envelope = toForwardedEvent(this.name, event);
      await this.confirmed(event.eventId, () =>
        this.options.client.emit(this.pattern(envelope), envelope),
      );
      count++;
    }
    await this.flush(events[events.length - 1]?.eventId);
    this.published += count;
    if (this.stalledSince) {
      this.logger.log(
        `broker confirms again after ${Date.now() - this.stalledSince.getTime()} ms; forwarding resumed`,
      );
      this.stalledSince = undefined;
    }
  }

  private async confirmed(eventId: string, emit: () => Observable<unknown>): Promise<void> {
    try {
      await lastValueFrom(emit().pipe(timeout(this.publishTimeoutMs)), { defaultValue: undefined });
    } catch (error) {
      throw this.stall(eventId, error);
    }
  }

  /** NATS `emit` returns once the message is buffered: flush waits for the server to have it. */
  private async flush(eventId: string | undefined): Promise<void> {
    let connection: unknown;
    try {
      connection = this.options.client.unwrap?.();
    } catch {
      return; // not connected: emit would have failed already
    }
    const flush = (connection as { flush?: () => Promise<void> } | undefined)?.flush;
    if (typeof flush !== 'function') return;
    try {
      await lastValueFrom(from(flush.call(connection)).pipe(timeout(this.publishTimeoutMs)), {
        defaultValue: undefined,
      });
    } catch (error) {
      throw this.stall(eventId ?? '(none)', error);
    }
  }

  private stall(eventId: string, error: unknown): BrokerUnavailableError {
    const failure = new BrokerUnavailableError(this.name, eventId, error);
    if (!this.stalledSince) {
      this.stalledSince = new Date();
      this.logger.error(
        `STALLED: the broker does not confirm (${errorMessage(error)}); events wait in the store ` +
          'and are published, in order, once the broker is back',
      );
    }
    return failure;
  }
}
