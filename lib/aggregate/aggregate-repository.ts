import type { Logger } from '@nestjs/common';
import type { EventBus, IEvent } from '@nestjs/cqrs';
import { ConcurrencyError } from '../core/errors/concurrency.error.js';
import type { EventStore } from '../core/event-store.js';
import type { AppendResult, EventMetadata, ExpectedVersion } from '../core/event-store.types.js';
import type { SnapshotStore } from '../core/snapshot-store.js';
import { AggregateSnapshots } from './aggregate-snapshots.js';
import {
  getAggregateMetadata,
  isSnapshotDue,
  streamIdFor,
  type AggregateMetadata,
} from './aggregate.decorator.js';
import { AggregateNotFoundError } from '../core/errors/aggregate-not-found.error.js';
import { AggregateSaveInProgressError } from '../core/errors/save-in-progress.error.js';
import { UndecoratedAggregateError } from '../core/errors/undecorated-aggregate.error.js';
import type { EventSourcedAggregate } from './event-sourced-aggregate.js';
import { MessageContext } from '../core/message-context.js';
import { idempotentIds, isReDelivery } from './idempotent-event-ids.js';
import type { EventRegistry } from '../serialization/event-registry.js';
import type { EventClass } from '../serialization/serialization.types.js';
import type { TransactionHandle } from '../core/transaction-handle.js';

export interface AggregateRepositoryDeps {
  store: EventStore;
  registry: EventRegistry;
  eventBus: EventBus;
  snapshots: SnapshotStore;
  logger: Logger;
  /**
   * Runs `callback` once the transaction behind `manager` commits and returns true; false when
   * `manager` holds no open transaction (the append has committed by itself).
   */
  afterCommit?: (manager: TransactionHandle | undefined, callback: () => void) => boolean;
  /** Spans around loads and saves (lib/telemetry's `aggregateTracer`); without one, none. */
  tracer?: AggregateTracer;
}

/** Wraps a load or a save of one aggregate, e.g. in a tracing span; must return what `work` does. */
export interface AggregateTracer {
  load<R>(aggregate: string, id: string, work: () => Promise<R>): Promise<R>;
  save<R>(aggregate: string, id: string, eventCount: number, work: () => Promise<R>): Promise<R>;
}

/**
 * Aggregate instances with a save in flight. Why a module-level WeakSet and not a field:
 * - the guard is about the instance, whichever repository saves it (`forFeature` in two modules
 *   makes two repositories for one class), so it cannot live in one repository;
 * - it is the repository's bookkeeping, not the aggregate's state: a field on the aggregate would
 *   be visible to (and overridable by) user subclasses and their snapshots;
 * - it needs no reset: `save` removes its entry in `finally`, and an instance dropped by its
 *   caller drops out of the set with it (weakly held), so nothing accumulates between tests.
 */
const saving = new WeakSet<EventSourcedAggregate>();

/** An aggregate class, constructed with its id (what `forFeature` and the repository take). */
export type AggregateClass<T extends EventSourcedAggregate> = new (id: string) => T;

/** The options of `AggregateRepository.load` and `find`. */
export interface LoadOptions {
  /** The version the caller saw (e.g. sent by a client); loading fails if the stream moved on. */
  expectedVersion?: number;
}

/** The options of `AggregateRepository.save`. */
export interface SaveOptions {
  /** Metadata stored with every event of this save (besides correlation and causation). */
  metadata?: EventMetadata;
  /**
   * A transaction the append (and snapshot) joins: a TypeORM `EntityManager` on a SQL store. The
   * events are published on the EventBus once that transaction commits; a rollback publishes nothing.
   */
  manager?: TransactionHandle;
}

/**
 * Loads aggregates from their streams and saves their new events. Inject it with
 * `@InjectAggregateRepository(Order)` after `EventSourcingModule.forFeature([Order])`.
 */
export class AggregateRepository<T extends EventSourcedAggregate> {
  private readonly metadata: AggregateMetadata;

  private readonly store: EventStore;
  private readonly registry: EventRegistry;
  private readonly snapshots: SnapshotStore;
  private readonly logger: Logger;
  private readonly snapshotting: AggregateSnapshots<T>;

  constructor(
    private readonly aggregateClass: AggregateClass<T>,
    private readonly deps: AggregateRepositoryDeps,
  ) {
    this.store = deps.store;
    this.registry = deps.registry;
    this.snapshots = deps.snapshots;
    this.logger = deps.logger;
    const metadata = getAggregateMetadata(aggregateClass);
    if (!metadata) throw new UndecoratedAggregateError(aggregateClass.name);
    this.metadata = metadata;
    const create = (id: string) => new aggregateClass(id);
    this.snapshotting = new AggregateSnapshots(create, metadata, deps.snapshots, deps.logger);
  }

  /** The aggregate, or `AggregateNotFoundError` when its stream does not exist. */
  async load(id: string, options: LoadOptions = {}): Promise<T> {
    const aggregate = await this.find(id);
    if (!aggregate) throw new AggregateNotFoundError(streamIdFor(this.aggregateClass, id));
    const expected = options.expectedVersion;
    if (expected !== undefined && aggregate.version !== expected) {
      throw new ConcurrencyError(streamIdFor(this.aggregateClass, id), expected, aggregate.version);
    }
    return aggregate;
  }

  /** The aggregate, or `undefined` when its stream does not exist. */
  async find(id: string): Promise<T | undefined> {
    const tracer = this.deps.tracer;
    if (!tracer) return this.read(id);
    return tracer.load(this.aggregateClass.name, id, () => this.read(id));
  }

  private async read(id: string): Promise<T | undefined> {
    const streamId = streamIdFor(this.aggregateClass, id);
    const snapshotted = this.metadata.snapshotEvery !== undefined;
    const revision = this.metadata.snapshotRevision;
    let history = await this.store.readHistory(
      streamId,
      snapshotted ? { snapshots: this.snapshots, snapshotRevision: revision } : {},
    );
    const { aggregate, from } = this.snapshotting.restore(id, streamId, history.snapshot);
    if (from === 0 && history.snapshot?.revision === revision) {
      // The snapshot failed to restore, and only the events after it were read.
      history = await this.store.readHistory(streamId);
    }
    const { events } = history;
    if (events.length === 0 && from === 0) return undefined;
    const replayed = events.map((event) => this.registry.deserialize(event) as IEvent);
    aggregate.loadFromHistory(replayed, events.at(-1)?.version ?? from);
    return aggregate;
  }

  async exists(id: string): Promise<boolean> {
    return this.store.streamExists(streamIdFor(this.aggregateClass, id));
  }

  /**
   * Appends the aggregate's new events, expecting the stream at the version it was loaded at (a
   * new aggregate expects no stream), then publishes them on the @nestjs/cqrs EventBus. A
   * concurrent writer makes this fail with `ConcurrencyError` and nothing is written.
   *
   * While a command with a known id is handled (`setCommandId`; sagas give their commands
   * deterministic ids), the new events get ids derived from it (UUID v5 of
   * `<command id>:<stream>:<save>:<index>`). When the command is handled again after a crash, the
   * same ids come out, the append finds them stored, and the save is skipped: nothing is written
   * or published (logged at debug level), and the aggregate's new events are dropped.
   */
  async save(aggregate: T, options: SaveOptions = {}): Promise<void> {
    const tracer = this.deps.tracer;
    if (!tracer) return this.write(aggregate, options);
    const count = aggregate.getUncommittedEvents().length;
    const name = this.aggregateClass.name;
    return tracer.save(name, aggregate.id, count, () => this.write(aggregate, options));
  }

  private async write(aggregate: T, options: SaveOptions): Promise<void> {
    const events = aggregate.getUncommittedEvents();
    if (events.length === 0) return;
    const streamId = streamIdFor(this.aggregateClass, aggregate.id);
    // Checked before the first await: an overlapping save fails at once, touching nothing.
    if (saving.has(aggregate)) throw new AggregateSaveInProgressError(streamId);
    saving.add(aggregate);
    try {
      await this.append(aggregate, events, streamId, options);
    } finally {
      saving.delete(aggregate);
    }
  }

  private async append(aggregate: T, events: IEvent[], streamId: string, options: SaveOptions) {
    const before = aggregate.persistedVersion;
    const expectedVersion: ExpectedVersion = before === 0 ? 'no_stream' : before;
    const idempotent = idempotentIds(streamId, events.length);
    const newEvents = events.map((event, index) => {
      this.registry.register(event.constructor as EventClass);
      const serialized = this.registry.serialize(event);
      return idempotent ? { ...serialized, eventId: idempotent.ids[index] } : serialized;
    });
    const metadata = { ...MessageContext.eventMetadata(), ...options.metadata };
    let result: AppendResult;
    try {
      // Inline projections run inside the store's append, in its transaction.
      result = await this.store.appendToStream(streamId, newEvents, {
        expectedVersion,
        metadata,
        manager: options.manager,
      });
    } catch (error) {
      if (!idempotent || !isReDelivery(error, idempotent.ids)) throw error;
      idempotent.saved();
      this.logger.debug(
        `${streamId}: the events of command ${idempotent.key} are stored already (a re-delivery); nothing saved`,
      );
      aggregate.dropSaved(events.length);
      return;
    }
    idempotent?.saved();
    // Only the events this save appended: ones applied meanwhile stay pending for the next save.
    aggregate.markSaved(result.nextExpectedVersion, events.length);
    const upToDate = aggregate.version === result.nextExpectedVersion;
    if (upToDate && isSnapshotDue(this.metadata, before, result.nextExpectedVersion)) {
      await this.snapshotting.take(
        aggregate,
        streamId,
        result.nextExpectedVersion,
        options.manager,
      );
    }
    // In-process and not durable: a crash right here loses this publication (not the events).
    // In a caller's transaction, only once it commits: a rollback publishes nothing.
    const publish = () => {
      this.deps.eventBus.publishAll(events);
    };
    if (!this.deps.afterCommit?.(options.manager, publish)) publish();
  }
}
