import { EventSourcingError } from './event-sourcing.error.js';

/**
 * A snapshot's state is not an object, so the default `fromSnapshot` cannot restore it. The
 * repository logs it and rebuilds the aggregate from its events instead.
 */
export class InvalidSnapshotStateError extends EventSourcingError {
  constructor(
    readonly aggregateName: string,
    readonly stateType: string,
  ) {
    super(
      `${aggregateName} snapshot state must be an object, got ${stateType}; ` +
        'override fromSnapshot(state) when toSnapshot() returns something else',
    );
  }
}
