/** reflect-metadata key of `@DomainEvent`. */
export const DOMAIN_EVENT_METADATA = 'nestjs-event-sourcing:domain-event';

/** reflect-metadata key of `@Upcaster`. */
export const UPCASTER_METADATA = 'nestjs-event-sourcing:upcaster';

/** The key of stored event metadata that holds the event's schema version (missing means 1). */
export { EVENT_VERSION_METADATA_KEY } from '../core/message-context.js';
