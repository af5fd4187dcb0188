import { EventSourcingError } from './event-sourcing.error.js';

/** A stored event has a type name no registered class carries. */
export class UnknownEventTypeError extends EventSourcingError {
  constructor(
    readonly eventType: string,
    readonly streamId: string | undefined,
  ) {
    super(
      `stored event type "${eventType}"${streamId === undefined ? '' : ` in stream ${streamId}`} has no registered class; ` +
        `decorate its class with @DomainEvent('${eventType}') and register it ` +
        '(EventSourcingModule.forFeature or registry.register), or read with { skipUnknown: true } to ignore it',
    );
  }
}
