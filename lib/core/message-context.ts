import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventMetadata } from './event-store.types.js';

/** What the message being handled right now passes on to the events it causes. */
export interface MessageContextData {
  /** Shared by everything one request (or one business transaction) caused. */
  correlationId: string;
  /** The id of the message (command or event) being handled. */
  causationId?: string;
  /** Extra keys stored in the metadata of every event appended in this context. */
  metadata?: Record<string, unknown>;
  /**
   * Set while a command with a known id (`setCommandId`, as sagas give their commands) is handled:
   * the aggregate repository then derives the ids of the events it appends from it, so handling
   * the same command again (a re-delivery) saves nothing a second time.
   */
  idempotencyKey?: string;
}

// Scoped per async call chain, so concurrent requests never see each other's context.
const storage = new AsyncLocalStorage<MessageContextData>();

/**
 * The correlation context carried through async calls: the HTTP interceptor and the command-handler
 * wrapper set it; the aggregate repository reads it when it appends.
 */
export const MessageContext = {
  run<T>(data: MessageContextData, fn: () => T): T {
    return storage.run(data, fn);
  },

  current(): MessageContextData | undefined {
    return storage.getStore();
  },

  /** The metadata an event appended now should carry. */
  eventMetadata(): EventMetadata {
    const context = storage.getStore();
    if (!context) return {};
    return {
      ...context.metadata,
      correlationId: context.correlationId,
      ...(context.causationId ? { causationId: context.causationId } : {}),
    };
  },
};

const commandIds = new WeakMap<object, string>();

/**
 * Gives a command a known id (a saga uses a deterministic one so re-delivery can be detected). The
 * id also makes the command idempotent: while its handler runs, aggregate saves derive their event
 * ids from it, and a save whose events are already stored is skipped.
 */
export function setCommandId(command: object, id: string): void {
  commandIds.set(command, id);
}

export function commandIdOf(command: object): string | undefined {
  return commandIds.get(command);
}

/**
 * The key of stored event metadata that holds the event's schema version (missing means 1). Kept in
 * the core because it is part of what a stored message's metadata means; serialization writes it.
 */
export const EVENT_VERSION_METADATA_KEY = 'eventVersion';

/** Keys of a message's metadata that describe that message alone, not what it causes. */
const OWN_KEYS = new Set<string>(['correlationId', 'causationId', EVENT_VERSION_METADATA_KEY]);

/**
 * What a message passes on to the messages it causes: its metadata (user id, tenant, anything the
 * request put there) without its own ids and schema version. Sagas carry it across their hops.
 */
export function inheritedMetadata(metadata: EventMetadata): Record<string, unknown> {
  return Object.fromEntries(Object.entries(metadata).filter(([key]) => !OWN_KEYS.has(key)));
}
