import { EventSourcingError } from './event-sourcing.error.js';

/** A stored event is at an older schema version and a link of the upcaster chain is missing. */
export class MissingUpcasterError extends EventSourcingError {
  constructor(
    readonly eventType: string,
    readonly fromVersion: number,
    readonly storedVersion: number,
    readonly currentVersion: number,
    readonly streamId?: string,
  ) {
    super(
      `no upcaster for "${eventType}" from version ${fromVersion} to ${fromVersion + 1}: ` +
        `a stored event${streamId === undefined ? '' : ` in stream ${streamId}`} is at version ${storedVersion} ` +
        `and the class is at version ${currentVersion}; register one with ` +
        `registry.addUpcaster({ type: '${eventType}', fromVersion: ${fromVersion}, upcast }) ` +
        `or a provider decorated with @Upcaster('${eventType}', ${fromVersion})`,
    );
  }
}
