import type { Type } from '@nestjs/common';
import { AggregateRoot, type IEvent, type IEventHandler } from '@nestjs/cqrs';
import { AggregateAutoCommitError } from '../core/errors/aggregate-auto-commit.error.js';
import { AggregateUnsavedEventsError } from '../core/errors/aggregate-unsaved-events.error.js';
import { InvalidSnapshotStateError } from '../core/errors/invalid-snapshot-state.error.js';
import { isPlainObject, reviveDates } from '../serialization/revive-dates.js';
import { findEventSourcingHandler } from './event-sourcing-handler.decorator.js';

/** Options of `AggregateRoot.apply` in @nestjs/cqrs 12. */
export interface ApplyOptions {
  fromHistory?: boolean;
  skipHandler?: boolean;
}

/**
 * Base class of event-sourced aggregates, on top of the `AggregateRoot` of @nestjs/cqrs (so
 * `apply`, `commit`, `getUncommittedEvents` and `EventPublisher` keep their usual meaning).
 *
 * Command methods check the rules, then `apply(new SomethingHappened(...))`. State changes only
 * in event handlers, which run both for new events and when the aggregate is rebuilt from its
 * stream. A handler is the method decorated with `@EventSourcingHandler(EventClass)` or, failing
 * that, the `on<EventClassName>` method (the @nestjs/cqrs convention).
 *
 * Versions: `version` counts every event applied, from history and new; `persistedVersion` is the
 * version the stream had when the aggregate was loaded or last saved, the expected version of the
 * next append (0: the stream must not exist yet).
 *
 * Snapshots: `toSnapshot()` returns the state to store and `fromSnapshot(state)` puts it back; the
 * defaults copy the aggregate's own enumerable properties except `id` (see both).
 *
 * `autoCommit` must stay off: with it on, @nestjs/cqrs publishes events without keeping them
 * for the repository to store, so `apply` refuses to run.
 */
export abstract class EventSourcedAggregate extends AggregateRoot {
  #version = 0;
  #persistedVersion = 0;

  constructor(readonly id: string) {
    super();
  }

  /** The number of events applied: the stream's version once every new event is stored. */
  get version(): number {
    return this.#version;
  }

  /** The stream's version when the aggregate was loaded or last saved: the next expected version. */
  get persistedVersion(): number {
    return this.#persistedVersion;
  }

  /** Whether the aggregate has events not yet saved. */
  get hasUncommittedEvents(): boolean {
    return super.getUncommittedEvents().length > 0;
  }

  /**
   * Applies an event: records it as uncommitted (unless from history), runs its handler, and
   * counts it in `version`.
   */
  override apply<T extends IEvent = IEvent>(event: T, isFromHistory?: boolean): void;
  override apply<T extends IEvent = IEvent>(event: T, options?: ApplyOptions): void;
  override apply<T extends IEvent = IEvent>(event: T, options?: boolean | ApplyOptions): void {
    if (this.autoCommit) {
      throw new AggregateAutoCommitError(this.constructor.name, this.id);
    }
    super.apply(event, options as ApplyOptions);
    this.#version++;
  }

  /**
   * Rebuilds the aggregate from stored events (already deserialised), in stream order. Pass the
   * stream version of the last event when it can differ from the number of events given (events
   * skipped on reading, or a snapshot restored first); otherwise the version is counted.
   */
  override loadFromHistory(history: IEvent[], streamVersion?: number): void {
    this.assertNothingUnsaved('load history into');
    super.loadFromHistory(history);
    if (streamVersion !== undefined) this.#version = streamVersion;
    this.#persistedVersion = this.#version;
  }

  /**
   * Records a successful append; the repository calls it with the store's `nextExpectedVersion`
   * and the number of events it appended, which are then no longer uncommitted. Without a count
   * it does not clear the events: call `commit()` (which also publishes them when the aggregate
   * was merged with `EventPublisher`) or `uncommit()` next.
   */
  markSaved(streamVersion: number, savedCount?: number): void {
    if (savedCount === undefined) {
      this.#version = streamVersion;
      this.#persistedVersion = streamVersion;
      return;
    }
    // Events applied while the save was in flight stay pending, counted on top of what is stored.
    this.dropSaved(savedCount);
    this.#persistedVersion = streamVersion;
    this.#version = streamVersion + super.getUncommittedEvents().length;
  }

  /**
   * Forgets the first `count` uncommitted events (they are stored), keeping any applied after
   * them. Unlike `commit()`, publishes nothing through a merged `EventPublisher`.
   */
  dropSaved(count: number): void {
    super.getUncommittedEvents().splice(0, count);
  }

  /**
   * A copy of the uncommitted events. (The array of @nestjs/cqrs is emptied in place by
   * `commit()`; a copy stays usable after it, for example to publish the events.)
   */
  override getUncommittedEvents(): IEvent[] {
    return [...super.getUncommittedEvents()];
  }

  /**
   * The state to store in a snapshot. Default: a shallow copy of the aggregate's own enumerable
   * properties except `id` and functions; version counters and @nestjs/cqrs internals are not
   * among them. The copy is stored as JSON: nested objects come back as plain objects, Dates come
   * back as Dates (see `reviveDates`), Maps, Sets and class instances do not survive: override
   * `toSnapshot` and `fromSnapshot` together for those, and raise `snapshotRevision`
   * in `@Aggregate` when the shape changes.
   */
  toSnapshot(): unknown {
    const state: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this)) {
      if (key === 'id' || typeof value === 'function') continue;
      state[key] = value;
    }
    return state;
  }

  /**
   * Restores a snapshot taken at stream version `version`, on a fresh aggregate; events after
   * that version are then applied with `loadFromHistory(events, lastVersion)`.
   */
  restoreSnapshot(state: unknown, version: number): void {
    this.assertNothingUnsaved('restore a snapshot into');
    this.fromSnapshot(state);
    this.#version = version;
    this.#persistedVersion = version;
  }

  /**
   * Puts snapshot state back. Default: assigns the properties of `state` (with ISO date strings
   * revived into Dates) to the aggregate, except `id`.
   */
  protected fromSnapshot(state: unknown): void {
    const revived = reviveDates(state);
    if (!isPlainObject(revived)) {
      throw new InvalidSnapshotStateError(this.constructor.name, typeof state);
    }
    const rest = { ...revived };
    delete rest.id;
    Object.assign(this, rest);
  }

  /** Finds `@EventSourcingHandler` methods first, then the `on<EventClassName>` convention. */
  protected override getEventHandler<T extends IEvent = IEvent>(
    event: T,
  ): Type<IEventHandler> | undefined {
    const method = findEventSourcingHandler(this, event);
    if (method === undefined) return super.getEventHandler(event);
    return (this as unknown as Record<string | symbol, Type<IEventHandler>>)[method];
  }

  private assertNothingUnsaved(action: string): void {
    const pending = super.getUncommittedEvents().length;
    if (pending > 0) {
      throw new AggregateUnsavedEventsError(this.constructor.name, this.id, pending, action);
    }
  }
}
