import type { EventMetadata } from '../core/event-store.types.js';
import type { Duration } from '../core/duration.js';

/** When `ctx.schedule` delivers a message, and the key that replaces or cancels it. */
export interface ScheduleOptions {
  /** Deliver after this long (by the injectable `Clock`): `'15m'`, `'2h'`, or milliseconds. */
  after?: Duration;
  /** Deliver at this time (instead of `after`). */
  at?: Date;
  /**
   * Names the message within the saga instance, to cancel it with `cancelScheduled(key)`.
   * Scheduling again under a key that is still pending replaces the pending message.
   */
  key?: string;
}

/** What a process manager's handler gets besides the event. */
export interface SagaContext {
  /** The saga's name. */
  readonly saga: string;
  /** The instance's correlation key (its stream is `saga.<name>-<key>`). */
  readonly correlationKey: string;
  /** The id of the message being handled: the event's id, or the scheduled message's id. */
  readonly messageId: string;
  /** The metadata of the event being handled (correlation id, ...). */
  readonly metadata: EventMetadata;
  /** True when the message is a timeout the saga scheduled, delivered by the scheduler. */
  readonly isTimeout: boolean;
  /** The current time of the injectable `Clock`. */
  now(): Date;
  /**
   * Schedules a message for later: an event the saga handles (a `@SagaHandler` of its class) is
   * delivered back to this instance; anything else is a command sent through the `CommandBus`.
   * Stored with the saga's new events (in the same transaction on a database store), so it is
   * delivered even if the process restarts in between. Its class needs `@DomainEvent` or
   * `@DomainCommand` and, for commands, a `@CommandHandler` in the application.
   */
  schedule(message: object, options: ScheduleOptions): void;
  /** Cancels the pending message scheduled under `key` by this instance (if any). */
  cancelScheduled(key: string): void;
}
