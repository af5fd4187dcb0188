import type { TransactionHandle } from '../core/transaction-handle.js';
import { v5 as uuidv5 } from 'uuid';
import type { Clock } from '../core/clock.js';
import { parseDuration } from '../core/duration.js';
import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import { InvalidSagaOutputError } from '../core/errors/invalid-saga-output.error.js';
import type { EventMetadata } from '../core/event-store.types.js';
import { inheritedMetadata } from '../core/message-context.js';
import type { NewScheduledMessage } from '../core/scheduled-message-store.js';
import type { EventRegistry } from '../serialization/event-registry.js';
import type { EventClass } from '../serialization/serialization.types.js';
import type { SagaContext, ScheduleOptions } from './saga-context.js';
import type { SagaHandlerDefinition } from './saga-handler.decorator.js';

/** Ids of a saga's own events and scheduled messages are derived from what caused them. */
export const SAGA_ID_NAMESPACE = '3f0b8c52-6d1e-4b8a-9c77-52a1e0d4c9b1';

/** A message a process manager handles: an event of the log, or a timeout it scheduled. */
export interface Trigger {
  id: string;
  event: object;
  metadata: EventMetadata;
  key: string;
  handler: SagaHandlerDefinition;
  isTimeout: boolean;
  /** For timeouts: still pending? Runs in the transaction of the saga's append. */
  claim?: (manager: TransactionHandle | undefined) => Promise<boolean>;
}

export type ScheduleChange =
  { kind: 'schedule'; message: NewScheduledMessage } | { kind: 'cancel'; key: string };

export interface SagaContextInput {
  saga: string;
  trigger: Trigger;
  correlationId: string;
  /** Collects what the handler schedules and cancels; committed with the saga's events. */
  changes: ScheduleChange[];
  registry: EventRegistry;
  clock: Clock;
  /** Whether the saga handles `message` itself (a scheduled event) or sends it (a command). */
  handles: (message: object) => boolean;
}

/**
 * The `ctx` a process manager's handler gets for one trigger: what caused it, the clock, and
 * `schedule` / `cancelScheduled`, which only record changes (the runner commits them).
 */
export function sagaContext(o: SagaContextInput): SagaContext {
  const { saga, trigger, correlationId, changes, registry, clock } = o;
  let scheduled = 0;
  return {
    saga,
    correlationKey: trigger.key,
    messageId: trigger.id,
    metadata: trigger.metadata,
    isTimeout: trigger.isTimeout,
    now: () => clock.now(),
    schedule: (message: object, options: ScheduleOptions) => {
      const where = `ctx.schedule in saga "${saga}"`;
      if (typeof message !== 'object' || message === null) {
        throw new InvalidOptionsError(where, 'pass a command or event object');
      }
      if (options.key !== undefined) checkKey(where, options.key);
      const dueAt = dueTime(where, options, clock.now());
      registry.register(message.constructor as EventClass);
      const serialized = registry.serialize(message);
      const index = scheduled++;
      changes.push({
        kind: 'schedule',
        message: {
          id: uuidv5(`${saga}:${trigger.key}:${trigger.id}:schedule:${index}`, SAGA_ID_NAMESPACE),
          saga,
          instance: trigger.key,
          key: options.key,
          kind: o.handles(message) ? 'event' : 'command',
          type: serialized.type,
          payload: serialized.data,
          metadata: caused(serialized.metadata, trigger, correlationId),
          dueAt,
        },
      });
    },
    cancelScheduled: (key: string) => {
      checkKey(`ctx.cancelScheduled in saga "${saga}"`, key);
      changes.push({ kind: 'cancel', key });
    },
  };
}

const MAX_KEY_LENGTH = 200;

/** The instance an event goes to (its handler's `correlateBy`); undefined when it has none. */
export function correlationKeyOf(
  saga: string,
  handler: SagaHandlerDefinition,
  event: object,
  metadata: EventMetadata,
): string | undefined {
  const by = handler.correlateBy as
    string | ((event: object, metadata: EventMetadata) => unknown) | undefined;
  const value: unknown =
    by === undefined
      ? metadata.correlationId
      : typeof by === 'function'
        ? by(event, metadata)
        : (event as Record<string, unknown>)[by];
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value.length === 0) return undefined;
  if (value.length > MAX_KEY_LENGTH) {
    throw new InvalidSagaOutputError(
      saga,
      `the correlation key "${value.slice(0, 40)}..." is longer than ${MAX_KEY_LENGTH} characters; correlate by a shorter value (an id)`,
    );
  }
  return value;
}

/** The metadata of a message a trigger caused: the trigger's user keys, then its own, then ids. */
export function caused(own: EventMetadata, trigger: Trigger, correlationId: string): EventMetadata {
  return { ...inheritedMetadata(trigger.metadata), ...own, correlationId, causationId: trigger.id };
}

function checkKey(where: string, key: unknown): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > 255) {
    throw new InvalidOptionsError(where, 'the key must be a string of 1 to 255 characters');
  }
}

function dueTime(where: string, options: ScheduleOptions, now: Date): Date {
  if (options.at !== undefined) {
    if (!(options.at instanceof Date) || Number.isNaN(options.at.getTime())) {
      throw new InvalidOptionsError(where, '"at" must be a valid Date');
    }
    return options.at;
  }
  if (options.after === undefined) {
    throw new InvalidOptionsError(where, "give { after: '15m' } or { at: date }");
  }
  return new Date(now.getTime() + parseDuration(options.after, where));
}
