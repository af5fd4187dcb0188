import { EventSourcingError } from './event-sourcing.error.js';

/** `load` found no stream for the aggregate id. */
export class AggregateNotFoundError extends EventSourcingError {
  constructor(
    readonly streamId: string,
    readonly aggregateName?: string,
  ) {
    super(
      `${aggregateName ?? 'aggregate'} not found: stream ${streamId} does not exist (or is empty); ` +
        'check the id, or use find() to get undefined instead of this error',
    );
  }
}
