import { EventSourcingError } from './event-sourcing.error.js';

/** Two different classes claim the same stored event type name. */
export class DuplicateEventTypeError extends EventSourcingError {
  constructor(
    readonly eventType: string,
    readonly registeredClassName: string,
    readonly newClassName: string,
  ) {
    super(
      `event type "${eventType}" is claimed by two classes, ${registeredClassName} and ${newClassName}; ` +
        'give each class its own @DomainEvent type name (a type name must map to exactly one class)',
    );
  }
}
