/** reflect-metadata key of the `@DurableSaga` properties of a class. */
export const DURABLE_SAGAS_METADATA = 'nestjs-event-sourcing:durable-sagas';
/** reflect-metadata key of `@EventSourcedSaga`. */
export const EVENT_SOURCED_SAGA_METADATA = 'nestjs-event-sourcing:event-sourced-saga';
/** reflect-metadata key of the `@SagaStart` / `@SagaHandler` map of a process manager. */
export const SAGA_HANDLERS_METADATA = 'nestjs-event-sourcing:saga-handlers';

/** Subscriptions of sagas are named `saga:<name>`. */
export const SAGA_SUBSCRIPTION_PREFIX = 'saga:';
/** The lease the scheduler of timeouts holds (one active scheduler across processes). */
export const SCHEDULER_LEASE = '$scheduler';
