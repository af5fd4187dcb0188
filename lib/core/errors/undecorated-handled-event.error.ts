import { EventSourcingError } from './event-sourcing.error.js';

/** An `@EventSourcingHandler` names an event class without `@DomainEvent`; raised at startup. */
export class UndecoratedHandledEventError extends EventSourcingError {
  constructor(aggregateName: string, eventName: string) {
    super(
      `${aggregateName} handles ${eventName} with @EventSourcingHandler, but ${eventName} has no ` +
        `@DomainEvent('...'); give ${eventName} a stable stored type name such as @DomainEvent('${aggregateName.toLowerCase()}.${eventName.replace(/^[A-Z]/, (c) => c.toLowerCase())}')`,
    );
  }
}
