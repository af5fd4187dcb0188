import { EventSourcingError } from './event-sourcing.error.js';

/**
 * An event of a decorated class is written, but the class is not registered: the application could
 * not read the event back, so it is refused before anything is stored.
 */
export class UnregisteredEventError extends EventSourcingError {
  constructor(
    readonly className: string,
    readonly eventType: string,
  ) {
    super(
      `event class ${className} ("${eventType}") is not registered, so its events could not be read back; ` +
        'register it (EventSourcingModule.forFeature, or registry.register(' +
        `${className})) or handle it with @EventSourcingHandler(${className}) in a registered aggregate`,
    );
  }
}
