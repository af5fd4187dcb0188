// The public API. Everything not exported here is internal and may change.
export { EventStore } from './event-store/event-store.js';
export type {
  AppendOptions,
  AppendResult,
  EventMetadata,
  ExpectedVersion,
  LogCheckpoint,
  LogEvent,
  NewEvent,
  ReadAllOptions,
  ReadAllResult,
  ReadDirection,
  ReadStreamOptions,
  StoredEvent,
} from './event-store/event-store.types.js';
export type {
  AggregateHistory,
  HistoryEvent,
  ReadHistoryOptions,
} from './event-store/aggregate-history.js';
export { InMemoryEventStore } from './event-store/in-memory-event-store.js';
export { streamCategory } from './event-store/stream-id.js';
export { EventSourcingError } from './event-store/errors/event-sourcing.error.js';
export { ConcurrencyError } from './event-store/errors/concurrency.error.js';
export { DuplicateEventIdError } from './event-store/errors/duplicate-event-id.error.js';
export { EventSerializationError } from './event-store/errors/event-serialization.error.js';
export { InvalidCheckpointError } from './event-store/errors/invalid-checkpoint.error.js';
export { InvalidEventError } from './event-store/errors/invalid-event.error.js';
export { InvalidExpectedVersionError } from './event-store/errors/invalid-expected-version.error.js';
export { ConnectionAcquireTimeoutError } from './event-store/errors/connection-acquire-timeout.error.js';
export { InvalidOptionsError } from './event-store/errors/invalid-options.error.js';
export { InvalidStreamIdError } from './event-store/errors/invalid-stream-id.error.js';
export { InvalidReadOptionsError } from './event-store/errors/invalid-read-options.error.js';
export { UnstorableTextError } from './event-store/errors/unstorable-text.error.js';
export { MAX_PAGE_SIZE, MAX_STREAM_VERSION } from './event-store/limits.js';
export { TypeOrmEventStore } from './typeorm/typeorm-event-store.js';
export { runInTransaction } from './typeorm/run-in-transaction.js';
export type { TypeOrmEventStoreOptions } from './typeorm/typeorm-event-store.options.js';
export { EventSourcingModule } from './event-sourcing.module.js';
export type {
  EventSourcingModuleOptions,
  EventStoreDatabaseType,
} from './module/event-sourcing.options.js';
export { EventSourcingExceptionFilter } from './http/event-sourcing-exception.filter.js';
export {
  InjectEventStoreDataSource,
  EVENT_STORE_DATA_SOURCE,
} from './module/event-store-data-source.decorator.js';
export { eventStoreSchemaSql, type EventStoreSchemaOptions } from './module/event-store-schema.js';
export { EventStoreConnectionError } from './module/errors/event-store-connection.error.js';
export { MissingDatabaseDriverError } from './module/errors/missing-database-driver.error.js';
export { MissingTablesError } from './module/errors/missing-tables.error.js';
export type { EventSourcingFeatureOptions } from './event-sourcing.module.js';
export {
  SnapshotStore,
  InMemorySnapshotStore,
  type Snapshot,
} from './event-store/snapshot-store.js';

// Events: stable type names, (de)serialisation, upcasting
export {
  DomainEvent,
  getDomainEventMetadata,
  type DomainEventOptions,
  type DomainEventMetadata,
} from './serialization/domain-event.decorator.js';
export { EventRegistry } from './serialization/event-registry.js';
export { Upcaster, getUpcasterMetadata } from './serialization/upcaster.decorator.js';
export type {
  EventClass,
  EventUpcaster,
  SerializedEvent,
  UpcasterDefinition,
} from './serialization/serialization.types.js';
export { DuplicateEventTypeError } from './serialization/errors/duplicate-event-type.error.js';
export { DuplicateUpcasterError } from './serialization/errors/duplicate-upcaster.error.js';
export { EventDeserializationError } from './serialization/errors/event-deserialization.error.js';
export { MissingUpcasterError } from './serialization/errors/missing-upcaster.error.js';
export { UndecoratedEventError } from './serialization/errors/undecorated-event.error.js';
export { UnknownEventTypeError } from './serialization/errors/unknown-event-type.error.js';
export { UnregisteredEventError } from './serialization/errors/unregistered-event.error.js';

// Aggregates and repositories
export {
  Aggregate,
  getAggregateMetadata,
  streamIdFor,
  type AggregateOptions,
  type AggregateMetadata,
} from './aggregate/aggregate.decorator.js';
export { EventSourcingHandler } from './aggregate/event-sourcing-handler.decorator.js';
export { EventSourcedAggregate } from './aggregate/event-sourced-aggregate.js';
export { AggregateNotFoundError } from './aggregate/errors/aggregate-not-found.error.js';
export { UndecoratedAggregateError } from './aggregate/errors/undecorated-aggregate.error.js';
export { AggregateSaveInProgressError } from './aggregate/errors/save-in-progress.error.js';
export {
  AggregateRepository,
  type AggregateClass,
  type LoadOptions,
  type SaveOptions,
} from './repository/aggregate-repository.js';
export {
  getAggregateRepositoryToken,
  InjectAggregateRepository,
} from './repository/aggregate-repository.token.js';
export { retryOnConcurrencyError } from './repository/retry-on-concurrency-error.js';
export { UndecoratedHandledEventError } from './repository/errors/undecorated-handled-event.error.js';

// Correlation and causation
export {
  MessageContext,
  setCommandId,
  commandIdOf,
  type MessageContextData,
} from './context/message-context.js';
export {
  CorrelationIdInterceptor,
  CORRELATION_HEADER,
} from './context/correlation-id.interceptor.js';

// Projections
export {
  Projection,
  getProjectionMetadata,
  type ProjectionOptions,
} from './projection/projection.decorator.js';
export { ProjectionHandler } from './projection/projection-handler.decorator.js';
export {
  ProjectionInit,
  ProjectionReset,
  ProjectionDelete,
  ProjectionSwap,
} from './projection/projection-lifecycle.decorator.js';
export type { ProjectionContext } from './projection/projection-context.js';
export { UnknownProjectionEntityError } from './projection/unknown-entity.error.js';
export { ProjectionManager, type RebuildOptions } from './projection/projection-manager.js';
export type { ProjectionState, ProjectionStatus } from './projection/projection-status.js';
export type { ProjectionHookContext, ProjectionTarget } from './projection/projection-runner.js';

// Operator CLI
export { runEventSourcingCli, type EventSourcingCliOptions } from './cli/run-event-sourcing-cli.js';

// Subscriptions (the engine under projections and durable sagas)
export { Subscription } from './subscription/subscription.js';
export { SubscriptionStore, type SubscriptionRecord } from './subscription/subscription-store.js';
export { InMemorySubscriptionStore } from './subscription/in-memory-subscription-store.js';
export { InlineProjectionStateError } from './projection/inline-projection-state.error.js';
export type {
  InlineAppendContext,
  InlineAppendHandler,
} from './event-store/inline-append-handler.js';
export { TypeOrmSubscriptionStore } from './typeorm/subscription/typeorm-subscription-store.js';
export type {
  SubscriptionContext,
  SubscriptionOptions,
  SubscriptionStatus,
} from './subscription/subscription.options.js';
export { SubscriptionFailedError } from './subscription/errors/subscription-failed.error.js';
export { SubscriptionCatchUpTimeoutError } from './subscription/errors/subscription-catch-up-timeout.error.js';
export { SubscriptionFencedError } from './subscription/errors/subscription-fenced.error.js';

// Sagas
export {
  DurableSaga,
  getDurableSagas,
  type DurableSagaFunction,
  type DurableSagaOptions,
} from './saga/durable-saga.decorator.js';
export {
  EventSourcedSaga,
  getEventSourcedSagaMetadata,
} from './saga/event-sourced-saga.decorator.js';
export {
  SagaStart,
  SagaHandler,
  type CorrelateBy,
  type SagaHandlerOptions,
  type SagaHandlerResult,
} from './saga/saga-handler.decorator.js';
export { ProcessManager } from './saga/process-manager.js';
export type { SagaContext, ScheduleOptions } from './saga/saga-context.js';
export type { SagaOptions } from './saga/saga.options.js';
export { DomainCommand } from './saga/domain-command.decorator.js';
export { Clock, SystemClock, ManualClock } from './saga/clock.js';
export { parseDuration, type Duration } from './saga/duration.js';
export { SagaManager } from './saga/saga-manager.js';
export type { SagaRetryResult, SagaStatus } from './saga/saga-status.js';
export {
  SagaFailureStore,
  InMemorySagaFailureStore,
  type SagaFailure,
} from './saga/saga-failure-store.js';
export {
  ScheduledMessageStore,
  InMemoryScheduledMessageStore,
  type ScheduledMessage,
  type ScheduledMessageKind,
  type ScheduledMessageStatus,
  type NewScheduledMessage,
  type ScheduledListFilter,
} from './saga/scheduled-message-store.js';
export { ScheduledMessagesTimeoutError } from './saga/message-scheduler.js';
export { TypeOrmSagaFailureStore } from './typeorm/saga/typeorm-saga-failure-store.js';
export { TypeOrmScheduledMessageStore } from './typeorm/saga/typeorm-scheduled-message-store.js';
export { TypeOrmSagaSchema } from './typeorm/saga/typeorm-saga-schema.js';
export type { TypeOrmSagaStoreOptions } from './typeorm/saga/saga-sql.js';

// Operations: held-back alarm, health indicator (@nestjs/terminus), OpenTelemetry.
export { HeldBackMonitor } from './monitoring/held-back-monitor.js';
export type { HeldBackCause } from './monitoring/held-back-cause.js';
export {
  EventSourcingHealthIndicator,
  type EventSourcingHealthResult,
} from './health/event-sourcing.health-indicator.js';
export type { EventSourcingHealthThresholds, WorkerHealth } from './health/worker-health.js';
// Forwarding stored events to a broker (@nestjs/microservices), and the receiving inbox
export { EventForwardingModule } from './forwarding/event-forwarding.module.js';
export type { EventForwardingModuleOptions } from './forwarding/event-forwarding.module-definition.js';
export { EventForwarders } from './forwarding/event-forwarders.js';
export {
  EventForwarder,
  type EventForwarderDeps,
  type ForwarderState,
  type ForwarderStatus,
} from './forwarding/event-forwarder.js';
export type { ForwarderClient, ForwarderOptions } from './forwarding/event-forwarder.options.js';
export {
  FORWARDED_EVENT_FORMAT,
  isForwardedEvent,
  type ForwardedEvent,
} from './forwarding/forwarded-event.js';
export { EventInbox, type InboxContext, type InboxOutcome } from './forwarding/event-inbox.js';
export { provideEventInbox } from './forwarding/event-inbox.provider.js';
export { BrokerUnavailableError } from './forwarding/errors/broker-unavailable.error.js';
export { InvalidForwardedEventError } from './forwarding/errors/invalid-forwarded-event.error.js';
export { SubscriptionTransientError } from './subscription/errors/subscription-transient.error.js';
