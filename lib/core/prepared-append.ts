import { v7 as uuidv7, validate as isUuid } from 'uuid';
import { EventSerializationError } from './errors/event-serialization.error.js';
import { InvalidEventError } from './errors/invalid-event.error.js';
import type {
  AppendOptions,
  EventMetadata,
  ExpectedVersion,
  NewEvent,
  StoredEvent,
} from './event-store.types.js';
import { assertValidExpectedVersion } from './expected-version.js';
import { assertStorableJson } from './storable-json.js';
import { isWellFormedText } from './well-formed-text.js';
import { assertValidStreamId, hasControlCharacters, MAX_EVENT_TYPE_LENGTH } from './stream-id.js';

/** An event checked and serialised, ready for any store to write. */
export interface PreparedEvent {
  eventId: string;
  type: string;
  /** JSON text of the payload. */
  data: string;
  /** JSON text of the metadata. */
  metadata: string;
}

export interface PreparedAppend {
  streamId: string;
  expectedVersion: ExpectedVersion;
  events: PreparedEvent[];
  /** True when the caller gave every event id, which makes a retried append idempotent. */
  idsFromCaller: boolean;
}

/**
 * Validates and serialises an append before anything touches storage, so bad input is a typed
 * error and nothing is written. Shared by every store.
 */
export function prepareAppend(
  streamId: string,
  events: readonly NewEvent[],
  options: AppendOptions = {},
): PreparedAppend {
  assertValidStreamId(streamId);
  // Only an absent expected version means 'any'; null is a mistake, not a wildcard.
  const expectedVersion = options.expectedVersion === undefined ? 'any' : options.expectedVersion;
  assertValidExpectedVersion(expectedVersion);
  if (!Array.isArray(events)) {
    throw new InvalidEventError(0, 'events must be an array of { type, data, metadata? }');
  }
  const list: readonly NewEvent[] = events;
  const prepared = list.map((event, index) => prepareEvent(event, index, options.metadata));
  const ids = new Set(prepared.map((e) => e.eventId));
  if (ids.size !== prepared.length) {
    throw new InvalidEventError(0, 'the same eventId appears twice in one append');
  }
  return {
    streamId,
    expectedVersion,
    events: prepared,
    idsFromCaller: list.length > 0 && list.every((e) => e.eventId !== undefined),
  };
}

function prepareEvent(event: NewEvent, index: number, shared?: EventMetadata): PreparedEvent {
  if (typeof event !== 'object' || event === null) {
    throw new InvalidEventError(index, 'expected an object { type, data, metadata? }');
  }
  const { type, eventId } = event;
  if (typeof type !== 'string' || type.length === 0) {
    throw new InvalidEventError(index, 'type must be a non-empty string such as "order.placed"');
  }
  if (
    type.length > MAX_EVENT_TYPE_LENGTH ||
    hasControlCharacters(type) ||
    !isWellFormedText(type)
  ) {
    throw new InvalidEventError(
      index,
      `type "${type.slice(0, 40)}..." must be 1 to ${MAX_EVENT_TYPE_LENGTH} printable characters of well-formed Unicode`,
    );
  }
  if (eventId !== undefined && (typeof eventId !== 'string' || !isUuid(eventId))) {
    throw new InvalidEventError(index, `eventId ${JSON.stringify(eventId)} is not a UUID`);
  }
  return {
    eventId: eventId ? eventId.toLowerCase() : uuidv7(),
    type,
    data: storableJson(type, event.data ?? null, index, 'data'),
    metadata: storableJson(type, { ...shared, ...event.metadata }, index, 'metadata'),
  };
}

function storableJson(type: string, value: unknown, index: number, root: string): string {
  const json = toJson(type, value);
  assertStorableJson(json, index, root);
  return json;
}

function toJson(type: string, value: unknown): string {
  try {
    const json = JSON.stringify(value);
    if (json === undefined) throw new Error('the value has no JSON form');
    return json;
  } catch (error) {
    throw new EventSerializationError(type, error);
  }
}

/**
 * Whether events already stored under the append's ids are that same append, retried (for example
 * after a lost reply): same stream, same order, consecutive versions where the expected version
 * put them.
 */
export function isRetriedAppend(append: PreparedAppend, stored: readonly StoredEvent[]): boolean {
  if (!append.idsFromCaller || stored.length !== append.events.length) return false;
  const byVersion = [...stored].sort((a, b) => a.version - b.version);
  const first = byVersion[0].version;
  const expected = append.expectedVersion;
  if (typeof expected === 'number' && first !== expected + 1) return false;
  if (expected === 'no_stream' && first !== 1) return false;
  return byVersion.every(
    (event, i) =>
      event.streamId === append.streamId &&
      event.version === first + i &&
      event.eventId === append.events[i].eventId &&
      event.type === append.events[i].type,
  );
}
