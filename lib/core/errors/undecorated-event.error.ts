import { EventSourcingError } from './event-sourcing.error.js';

/** An event class has no `@DomainEvent` decorator, so it has no stable type name to store. */
export class UndecoratedEventError extends EventSourcingError {
  constructor(readonly className: string) {
    super(
      `${className} is not a domain event: it has no stable type name; ` +
        `add @DomainEvent('some.type') to the class ${className} (events must be instances of decorated classes)`,
    );
  }
}
