/** reflect-metadata key of `@Aggregate`. */
export const AGGREGATE_METADATA = 'nestjs-event-sourcing:aggregate';

/** reflect-metadata key of the `@EventSourcingHandler` map on an aggregate's prototype. */
export const EVENT_SOURCING_HANDLERS_METADATA = 'nestjs-event-sourcing:event-sourcing-handlers';
