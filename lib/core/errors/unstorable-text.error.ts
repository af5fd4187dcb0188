import { InvalidEventError } from './invalid-event.error.js';

/**
 * A string in an event's payload or metadata (a value or a key) cannot be stored as JSON text by
 * every database: a NUL character, or half of a UTF-16 surrogate pair (text that is not
 * well-formed Unicode, usually a string cut in the middle of an emoji).
 */
export class UnstorableTextError extends InvalidEventError {
  constructor(
    index: number,
    /** Where the string is, like `data.lines[0].sku` or `metadata.userId`. */
    readonly path: string,
    readonly problem: 'nul' | 'lone_surrogate',
  ) {
    super(
      index,
      problem === 'nul'
        ? `${path} contains a NUL character (\\u0000), which PostgreSQL and MySQL cannot store in JSON; ` +
            'remove it, or encode binary data (for example as base64)'
        : `${path} contains a lone surrogate: the text is not well-formed Unicode (often a string ` +
            'cut in the middle of an emoji); fix the text before storing it',
    );
  }
}
