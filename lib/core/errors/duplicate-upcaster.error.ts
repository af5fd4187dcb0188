import { EventSourcingError } from './event-sourcing.error.js';

/** Two upcasters claim the same step of one event type. */
export class DuplicateUpcasterError extends EventSourcingError {
  constructor(
    readonly eventType: string,
    readonly fromVersion: number,
  ) {
    super(
      `two upcasters for "${eventType}" from version ${fromVersion}; ` +
        'keep one per step (each upcaster turns version n into n + 1)',
    );
  }
}
