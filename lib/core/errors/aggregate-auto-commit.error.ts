import { EventSourcingError } from './event-sourcing.error.js';

/**
 * `apply` was called on an event-sourced aggregate with @nestjs/cqrs's `autoCommit` on, which
 * would publish its events without keeping them for the repository to store.
 */
export class AggregateAutoCommitError extends EventSourcingError {
  constructor(
    readonly aggregateName: string,
    readonly aggregateId: string,
  ) {
    super(
      `${aggregateName} ${aggregateId} has autoCommit on, which would publish events without storing them; ` +
        'leave autoCommit off on event-sourced aggregates and save them through their repository',
    );
  }
}
