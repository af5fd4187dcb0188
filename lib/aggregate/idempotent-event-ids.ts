import { v5 as uuidv5 } from 'uuid';
import { DuplicateEventIdError } from '../core/errors/duplicate-event-id.error.js';
import { MessageContext, type MessageContextData } from '../core/message-context.js';

/** The namespace of event ids derived from a command's idempotency key (UUID v5). */
const IDEMPOTENT_EVENT_NAMESPACE = 'b7a3f1e2-5c4d-4e8f-9a6b-0d1c2e3f4a5b';
/**
 * Saves per stream made so far while handling one command: the n-th save derives its own ids.
 * Keyed weakly by the command's context, so the counts end with the command (no reset needed).
 */
const savesInContext = new WeakMap<MessageContextData, Map<string, number>>();

/**
 * The event ids of a save made while handling a command with a known id, derived from it, from
 * the stream and from how many saves of that stream the command made before; undefined outside
 * such a command. `saved()` counts the save once it went in (or was found stored).
 */
export function idempotentIds(
  streamId: string,
  count: number,
): { key: string; ids: string[]; saved(): void } | undefined {
  const context = MessageContext.current();
  const key = context?.idempotencyKey;
  if (!context || key === undefined) return undefined;
  const saves = savesInContext.get(context) ?? new Map<string, number>();
  savesInContext.set(context, saves);
  const save = saves.get(streamId) ?? 0;
  return {
    key,
    ids: Array.from({ length: count }, (_, index) =>
      uuidv5(`${key}:${streamId}:${save}:${index}`, IDEMPOTENT_EVENT_NAMESPACE),
    ),
    saved: () => saves.set(streamId, save + 1),
  };
}

/** The append failed because (some of) exactly these derived ids are stored: done before. */
export function isReDelivery(error: unknown, ids: readonly string[]): boolean {
  if (!(error instanceof DuplicateEventIdError) || error.eventIds.length === 0) return false;
  const ours = new Set(ids);
  return error.eventIds.every((id) => ours.has(id.toLowerCase()));
}
