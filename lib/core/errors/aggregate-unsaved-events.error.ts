import { EventSourcingError } from './event-sourcing.error.js';

/**
 * History or a snapshot was loaded into an aggregate instance that still holds unsaved events:
 * they would be mixed with the stored ones and appended at the wrong versions.
 */
export class AggregateUnsavedEventsError extends EventSourcingError {
  constructor(
    readonly aggregateName: string,
    readonly aggregateId: string,
    readonly pending: number,
    action: string,
  ) {
    super(
      `cannot ${action} ${aggregateName} ${aggregateId}: it has ${pending} unsaved event(s); ` +
        'load into a fresh aggregate, before applying new events',
    );
  }
}
