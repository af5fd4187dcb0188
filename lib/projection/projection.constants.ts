export const PROJECTION_METADATA = 'nestjs-event-sourcing:projection';
export const PROJECTION_HANDLERS_METADATA = 'nestjs-event-sourcing:projection-handlers';
export const PROJECTION_LIFECYCLE_METADATA = 'nestjs-event-sourcing:projection-lifecycle';
