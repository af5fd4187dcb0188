// The public API. Everything not exported here is internal and may change.
export { EventStore } from './core/event-store.js';
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
} from './core/event-store.types.js';
export type {
  AggregateHistory,
  HistoryEvent,
  ReadHistoryOptions,
} from './core/aggregate-history.js';
export { InMemoryEventStore } from './core/in-memory/in-memory-event-store.js';
export { streamCategory } from './core/stream-id.js';
export { EventSourcingError } from './core/errors/event-sourcing.error.js';
export { ConcurrencyError } from './core/errors/concurrency.error.js';
export { DuplicateEventIdError } from './core/errors/duplicate-event-id.error.js';
export { EventSerializationError } from './core/errors/event-serialization.error.js';
export { InvalidCheckpointError } from './core/errors/invalid-checkpoint.error.js';
export { InvalidEventError } from './core/errors/invalid-event.error.js';
export { InvalidExpectedVersionError } from './core/errors/invalid-expected-version.error.js';
export { ConnectionAcquireTimeoutError } from './core/errors/connection-acquire-timeout.error.js';
export { InvalidOptionsError } from './core/errors/invalid-options.error.js';
export { InvalidStreamIdError } from './core/errors/invalid-stream-id.error.js';
export { InvalidReadOptionsError } from './core/errors/invalid-read-options.error.js';
export { UnstorableTextError } from './core/errors/unstorable-text.error.js';
export { MAX_PAGE_SIZE, MAX_STREAM_VERSION } from './core/limits.js';
export { TypeOrmEventStore } from './sql/typeorm-event-store.js';
export { runInTransaction } from './sql/run-in-transaction.js';
export type { TypeOrmEventStoreOptions } from './sql/typeorm-event-store.options.js';
export { EventSourcingModule } from './nest/event-sourcing.module.js';
export type {
  EventSourcingModuleOptions,
  EventStoreDatabaseType,
} from './nest/event-sourcing.options.js';
export { EventSourcingExceptionFilter } from './nest/http/event-sourcing-exception.filter.js';
export {
  InjectEventStoreDataSource,
  EVENT_STORE_DATA_SOURCE,
} from './nest/event-store-data-source.decorator.js';
export { eventStoreSchemaSql, type EventStoreSchemaOptions } from './sql/event-store-schema.js';
export { EventStoreConnectionError } from './core/errors/event-store-connection.error.js';
export { MissingDatabaseDriverError } from './core/errors/missing-database-driver.error.js';
export { MissingTablesError } from './core/errors/missing-tables.error.js';
export type { EventSourcingFeatureOptions } from './nest/event-sourcing.module.js';
export { SnapshotStore, InMemorySnapshotStore, type Snapshot } from './core/snapshot-store.js';

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
export { DuplicateEventTypeError } from './core/errors/duplicate-event-type.error.js';
export { DuplicateUpcasterError } from './core/errors/duplicate-upcaster.error.js';
export { EventDeserializationError } from './core/errors/event-deserialization.error.js';
export { MissingUpcasterError } from './core/errors/missing-upcaster.error.js';
export { UndecoratedEventError } from './core/errors/undecorated-event.error.js';
export { UnknownEventTypeError } from './core/errors/unknown-event-type.error.js';
export { UnregisteredEventError } from './core/errors/unregistered-event.error.js';

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
export { AggregateNotFoundError } from './core/errors/aggregate-not-found.error.js';
export { UndecoratedAggregateError } from './core/errors/undecorated-aggregate.error.js';
export { AggregateSaveInProgressError } from './core/errors/save-in-progress.error.js';
export {
  AggregateRepository,
  type AggregateClass,
  type LoadOptions,
  type SaveOptions,
} from './aggregate/aggregate-repository.js';
export {
  getAggregateRepositoryToken,
  InjectAggregateRepository,
} from './aggregate/aggregate-repository.token.js';
export { retryOnConcurrencyError } from './aggregate/retry-on-concurrency-error.js';
export { UndecoratedHandledEventError } from './core/errors/undecorated-handled-event.error.js';

// Correlation and causation
export {
  MessageContext,
  setCommandId,
  commandIdOf,
  type MessageContextData,
} from './core/message-context.js';
export { CorrelationIdInterceptor, CORRELATION_HEADER } from './nest/correlation-id.interceptor.js';

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
export { UnknownProjectionEntityError } from './core/errors/unknown-entity.error.js';
export { ProjectionManager, type RebuildOptions } from './projection/projection-manager.js';
export type { ProjectionState, ProjectionStatus } from './projection/projection-status.js';
export type { ProjectionHookContext, ProjectionTarget } from './projection/projection-runner.js';
// Partitioned projections
export {
  partitionOf,
  type PartitionBy,
  type PartitionEvent,
  type PartitionScope,
} from './projection/partition/partition-key.js';
export type { PartitionRetryOutcome } from './projection/partition/partition-retry.js';
export type { ProjectionPartitionStatus } from './projection/projection-status.js';
export {
  ParkedPartitionStore,
  InMemoryParkedPartitionStore,
  type ParkedPartition,
} from './core/parked-partition-store.js';
export { TypeOrmParkedPartitionStore } from './sql/typeorm-parked-partition-store.js';
export { PartitionedProjectionStateError } from './core/errors/partitioned-projection-state.error.js';

// Operator CLI
export { runEventSourcingCli, type EventSourcingCliOptions } from './cli/run-event-sourcing-cli.js';

// Subscriptions (the engine under projections and durable sagas)
export { Subscription } from './engine/subscription.js';
export { SubscriptionStore, type SubscriptionRecord } from './core/subscription-store.js';
export { InMemorySubscriptionStore } from './core/in-memory/in-memory-subscription-store.js';
export { InlineProjectionStateError } from './core/errors/inline-projection-state.error.js';
export type { InlineAppendContext, InlineAppendHandler } from './core/inline-append-handler.js';
export { TypeOrmSubscriptionStore } from './sql/typeorm-subscription-store.js';
export type {
  SubscriptionContext,
  SubscriptionOptions,
  SubscriptionStatus,
} from './engine/subscription.options.js';
export { SubscriptionFailedError } from './core/errors/subscription-failed.error.js';
export { SubscriptionCatchUpTimeoutError } from './core/errors/subscription-catch-up-timeout.error.js';
export { SubscriptionFencedError } from './core/errors/subscription-fenced.error.js';

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
export { Clock, SystemClock, ManualClock } from './core/clock.js';
export { parseDuration, type Duration } from './core/duration.js';
export { SagaManager } from './saga/saga-manager.js';
export type { SagaRetryResult, SagaStatus } from './saga/saga-status.js';
export {
  SagaFailureStore,
  InMemorySagaFailureStore,
  type SagaFailure,
} from './core/saga-failure-store.js';
export {
  ScheduledMessageStore,
  InMemoryScheduledMessageStore,
  type ScheduledMessage,
  type ScheduledMessageKind,
  type ScheduledMessageStatus,
  type NewScheduledMessage,
  type ScheduledListFilter,
} from './core/scheduled-message-store.js';
export { ScheduledMessagesTimeoutError } from './saga/message-scheduler.js';
export { TypeOrmSagaFailureStore } from './sql/typeorm-saga-failure-store.js';
export { TypeOrmScheduledMessageStore } from './sql/typeorm-scheduled-message-store.js';
export { TypeOrmSagaSchema } from './sql/typeorm-saga-schema.js';
export type { TypeOrmSagaStoreOptions } from './sql/saga-sql.js';

// Operations: held-back alarm, health indicator (@nestjs/terminus), OpenTelemetry.
export { HeldBackMonitor } from './nest/held-back-monitor.js';
export type { HeldBackCause } from './core/held-back-cause.js';
export {
  EventSourcingHealthIndicator,
  type EventSourcingHealthResult,
} from './nest/health/event-sourcing.health-indicator.js';
export type { EventSourcingHealthThresholds, WorkerHealth } from './engine/worker-health.js';
// Forwarding stored events to a broker (@nestjs/microservices), and the receiving inbox
export { EventForwardingModule } from './nest/forwarding/event-forwarding.module.js';
export type { EventForwardingModuleOptions } from './nest/forwarding/event-forwarding.module-definition.js';
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
export { provideEventInbox } from './nest/forwarding/event-inbox.provider.js';
export { BrokerUnavailableError } from './core/errors/broker-unavailable.error.js';
export { InvalidForwardedEventError } from './core/errors/invalid-forwarded-event.error.js';
export { SubscriptionTransientError } from './core/errors/subscription-transient.error.js';
