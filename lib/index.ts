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
export { InMemoryEventStore } from './event-store/in-memory-event-store.js';
export { streamCategory } from './event-store/stream-id.js';
export { EventSourcingError } from './event-store/errors/event-sourcing.error.js';
export { ConcurrencyError } from './event-store/errors/concurrency.error.js';
export { DuplicateEventIdError } from './event-store/errors/duplicate-event-id.error.js';
export { EventSerializationError } from './event-store/errors/event-serialization.error.js';
export { InvalidCheckpointError } from './event-store/errors/invalid-checkpoint.error.js';
export { InvalidEventError } from './event-store/errors/invalid-event.error.js';
export { InvalidExpectedVersionError } from './event-store/errors/invalid-expected-version.error.js';
export { InvalidOptionsError } from './event-store/errors/invalid-options.error.js';
export { InvalidStreamIdError } from './event-store/errors/invalid-stream-id.error.js';
export { TypeOrmEventStore } from './typeorm/typeorm-event-store.js';
export type { TypeOrmEventStoreOptions } from './typeorm/typeorm-event-store.options.js';
export { EventSourcingModule } from './event-sourcing.module.js';
export type {
  EventSourcingModuleOptions,
  EventStoreDatabaseType,
} from './module/event-sourcing.options.js';
export { EventSourcingExceptionFilter } from './http/event-sourcing-exception.filter.js';
