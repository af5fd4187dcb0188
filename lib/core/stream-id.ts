import { InvalidStreamIdError } from './errors/invalid-stream-id.error.js';
import { isWellFormedText } from './well-formed-text.js';

export const MAX_STREAM_ID_LENGTH = 255;
export const MAX_EVENT_TYPE_LENGTH = 255;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export function assertValidStreamId(streamId: unknown): asserts streamId is string {
  if (typeof streamId !== 'string') throw new InvalidStreamIdError(streamId, 'it is not a string');
  if (streamId.length === 0) throw new InvalidStreamIdError(streamId, 'it is empty');
  if (streamId.length > MAX_STREAM_ID_LENGTH) {
    throw new InvalidStreamIdError(
      streamId,
      `it has ${streamId.length} characters, more than ${MAX_STREAM_ID_LENGTH}`,
    );
  }
  if (CONTROL_CHARACTERS.test(streamId)) {
    throw new InvalidStreamIdError(streamId, 'it contains control characters');
  }
  // Databases store text as UTF-8, where every lone surrogate turns into the same replacement
  // character: 'x\ud800' and 'x\udbff' would name one stream.
  if (!isWellFormedText(streamId)) {
    throw new InvalidStreamIdError(streamId, 'it is not well-formed Unicode (a lone surrogate)');
  }
}

export function hasControlCharacters(value: string): boolean {
  return CONTROL_CHARACTERS.test(value);
}

/** The category of `order-42` is `order`; a stream id without a dash is its own category. */
export function streamCategory(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash === -1 ? streamId : streamId.slice(0, dash);
}
