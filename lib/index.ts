// The public API: the stable names a user needs. Everything not exported here is internal and may
// change. Grouped by layer (see DESIGN.md); each name is documented where it is declared.

// Core: the event store contract, its types and the in-memory reference store
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
export { MAX_PAGE_SIZE, MAX_STREAM_VERSION } from './core/limits.js';
export { Clock, ManualClock } from './core/clock.js';
export { parseDuration, type Duration } from './core/duration.js';
export { MessageContext, type MessageContextData } from './core/message-context.js';

// Core: ports with their in-memory implementations (for stores of your own; the module wires the SQL ones)
export { SnapshotStore, InMemorySnapshotStore, type Snapshot } from './core/snapshot-store.js';
export { SubscriptionStore, type SubscriptionRecord } from './core/subscription-store.js';
export { InMemorySubscriptionStore } from './core/in-memory/in-memory-subscription-store.js';
export {
  SagaFailureStore,
  InMemorySagaFailureStore,
  type SagaFailure,
} from './core/saga-failure-store.js';
export {
  ParkedPartitionStore,
  InMemoryParkedPartitionStore,
  type ParkedPartition,
} from './core/parked-partition-store.js';
export {
  ScheduledMessageStore,
  InMemoryScheduledMessageStore,
  type ScheduledMessage,
  type ScheduledMessageKind,
  type ScheduledMessageStatus,
  type NewScheduledMessage,
  type ScheduledListFilter,
} from './core/scheduled-message-store.js';
export type { HeldBackCause } from './core/held-back-cause.js';
export type { InlineAppendContext, InlineAppendHandler } from './core/inline-append-handler.js';

// Core: errors (catch them with instanceof; all extend EventSourcingError)
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
export { EventStoreConnectionError } from './core/errors/event-store-connection.error.js';
export { MissingDatabaseDriverError } from './core/errors/missing-database-driver.error.js';
export { MissingTablesError } from './core/errors/missing-tables.error.js';
export { DuplicateEventTypeError } from './core/errors/duplicate-event-type.error.js';
export { DuplicateUpcasterError } from './core/errors/duplicate-upcaster.error.js';
export { EventDeserializationError } from './core/errors/event-deserialization.error.js';
export { MissingUpcasterError } from './core/errors/missing-upcaster.error.js';
export { UndecoratedEventError } from './core/errors/undecorated-event.error.js';
export { UnknownEventTypeError } from './core/errors/unknown-event-type.error.js';
export { UnregisteredEventError } from './core/errors/unregistered-event.error.js';
export { AggregateNotFoundError } from './core/errors/aggregate-not-found.error.js';
export { UndecoratedAggregateError } from './core/errors/undecorated-aggregate.error.js';
export { AggregateSaveInProgressError } from './core/errors/save-in-progress.error.js';
export { AggregateAutoCommitError } from './core/errors/aggregate-auto-commit.error.js';
export { AggregateUnsavedEventsError } from './core/errors/aggregate-unsaved-events.error.js';
export { InvalidSnapshotStateError } from './core/errors/invalid-snapshot-state.error.js';
export { UndecoratedHandledEventError } from './core/errors/undecorated-handled-event.error.js';
export { UnknownProjectionEntityError } from './core/errors/unknown-entity.error.js';
export { InlineProjectionStateError } from './core/errors/inline-projection-state.error.js';
export { PartitionedProjectionStateError } from './core/errors/partitioned-projection-state.error.js';
export { PartitionError } from './core/errors/partition.error.js';
export { SubscriptionFailedError } from './core/errors/subscription-failed.error.js';
export { SubscriptionCatchUpTimeoutError } from './core/errors/subscription-catch-up-timeout.error.js';
export { SubscriptionFencedError } from './core/errors/subscription-fenced.error.js';
export { SubscriptionTransientError } from './core/errors/subscription-transient.error.js';
export { ScheduledMessagesTimeoutError } from './core/errors/scheduled-messages-timeout.error.js';
export { BrokerUnavailableError } from './core/errors/broker-unavailable.error.js';
export { InvalidForwardedEventError } from './core/errors/invalid-forwarded-event.error.js';

// Serialization: stable event type names, payload <-> class conversion, upcasting
export { DomainEvent, type DomainEventOptions } from './serialization/domain-event.decorator.js';
export { EventRegistry } from './serialization/event-registry.js';
export { Upcaster } from './serialization/upcaster.decorator.js';
export type {
  DeserializableEvent,
  DeserializeOptions,
  EventClass,
  EventUpcaster,
  SerializedEvent,
  UpcasterDefinition,
} from './serialization/serialization.types.js';

// Aggregates and their repositories
export { Aggregate, streamIdFor, type AggregateOptions } from './aggregate/aggregate.decorator.js';
export { EventSourcingHandler } from './aggregate/event-sourcing-handler.decorator.js';
export { EventSourcedAggregate, type ApplyOptions } from './aggregate/event-sourced-aggregate.js';
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
export {
  retryOnConcurrencyError,
  type RetryOptions,
} from './aggregate/retry-on-concurrency-error.js';

// Projections: read models fed from the log
export { Projection, type ProjectionOptions } from './projection/projection.decorator.js';
export { ProjectionHandler } from './projection/projection-handler.decorator.js';
export {
  ProjectionInit,
  ProjectionReset,
  ProjectionDelete,
  ProjectionSwap,
} from './projection/projection-lifecycle.decorator.js';
export type { ProjectionContext } from './projection/projection-context.js';
export { ProjectionManager } from './projection/projection-manager.js';
export type { RebuildOptions } from './projection/projection-rebuild.js';
export type { ProjectionState, ProjectionStatus } from './projection/projection-status.js';
export type { ProjectionHookContext, ProjectionTarget } from './projection/projection-runner.js';
export {
  partitionOf,
  type PartitionBy,
  type PartitionEvent,
  type PartitionScope,
} from './projection/partition/partition-key.js';
export type { PartitionRetryOutcome } from './projection/partition/partition-retry.js';
export type { ProjectionPartitionStatus } from './projection/projection-status.js';

// Sagas: durable RxJS sagas and event-sourced process managers
export {
  DurableSaga,
  type DurableSagaFunction,
  type DurableSagaOptions,
} from './saga/durable-saga.decorator.js';
export { EventSourcedSaga } from './saga/event-sourced-saga.decorator.js';
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
export { SagaManager } from './saga/saga-manager.js';
export type { PendingScheduledMessage, SagaRetryResult, SagaStatus } from './saga/saga-status.js';

// Forwarding stored events to a broker (@nestjs/microservices), and the receiving inbox
export { EventForwarders } from './forwarding/event-forwarders.js';
export type { ForwarderState, ForwarderStatus } from './forwarding/event-forwarder.js';
export type { ForwarderClient, ForwarderOptions } from './forwarding/event-forwarder.options.js';
export {
  FORWARDED_EVENT_FORMAT,
  isForwardedEvent,
  type ForwardedEvent,
} from './forwarding/forwarded-event.js';
export { EventInbox, type InboxContext, type InboxOutcome } from './forwarding/event-inbox.js';

// SQL: the store over a TypeORM DataSource (without Nest), its schema, and transactions on it
export { TypeOrmEventStore } from './sql/typeorm-event-store.js';
export type { TypeOrmEventStoreOptions } from './sql/typeorm-event-store.options.js';
export { eventStoreSchemaSql, type EventStoreSchemaOptions } from './sql/event-store-schema.js';
export { runInTransaction } from './sql/run-in-transaction.js';

// Nest: the modules, their options, injection helpers, HTTP and operations
export {
  EventSourcingModule,
  type EventSourcingFeatureOptions,
} from './nest/event-sourcing.module.js';
export type {
  EventSourcingModuleOptions,
  EventStoreDatabaseType,
} from './nest/event-sourcing.options.js';
export type { EventSourcingModuleAsyncOptions } from './nest/event-sourcing.module-definition.js';
export {
  InjectEventStoreDataSource,
  EVENT_STORE_DATA_SOURCE,
} from './nest/event-store-data-source.decorator.js';
export { EventSourcingExceptionFilter } from './nest/http/event-sourcing-exception.filter.js';
export { CorrelationIdInterceptor, CORRELATION_HEADER } from './nest/correlation-id.interceptor.js';
export {
  EventSourcingHealthIndicator,
  type EventSourcingHealthResult,
} from './nest/health/event-sourcing.health-indicator.js';
export type { EventSourcingHealthThresholds, WorkerHealth } from './engine/worker-health.js';
export {
  InstancesStatus,
  type InstancesReport,
  type InstanceStatus,
  type LeasedWorkerKind,
  type WorkerLease,
} from './nest/instances-status.js';
export { EventForwardingModule } from './nest/forwarding/event-forwarding.module.js';
export type {
  EventForwardingModuleAsyncOptions,
  EventForwardingModuleOptions,
} from './nest/forwarding/event-forwarding.module-definition.js';
export {
  provideEventInbox,
  type EventInboxOptions,
} from './nest/forwarding/event-inbox.provider.js';

// Operator CLI (its own entry point: `npx nestjs-event-sourcing`; this runs it from your app)
export { runEventSourcingCli, type EventSourcingCliOptions } from './cli/run-event-sourcing-cli.js';
