import { EventSourcingError } from './event-sourcing.error.js';

/** An option of `readStream` or `readAll` is out of range or of the wrong kind. */
export class InvalidReadOptionsError extends EventSourcingError {
  constructor(
    readonly option: string,
    readonly value: unknown,
    /** What to pass instead. */
    readonly expected: string,
  ) {
    super(`invalid read option ${option}: ${describe(value)}; ${expected}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return typeof value;
  }
}
