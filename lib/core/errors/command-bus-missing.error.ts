import { EventSourcingError } from './event-sourcing.error.js';

/** A saga produced a command but the application has no @nestjs/cqrs CommandBus. */
export class CommandBusMissingError extends EventSourcingError {
  constructor() {
    super(
      'sagas send commands through the @nestjs/cqrs CommandBus; import CqrsModule.forRoot() in the application module',
    );
  }
}
