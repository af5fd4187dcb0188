import type { EntityManager } from 'typeorm';
import type { EventStore } from '../core/event-store.js';
import type { NewEvent, StoredEvent } from '../core/event-store.types.js';
import { getDomainEventMetadata } from '../serialization/domain-event.decorator.js';
import type { EventRegistry } from '../serialization/event-registry.js';
import type { EventClass } from '../serialization/serialization.types.js';
import { getProjectionHandlers } from './projection-handler.decorator.js';
import { explainUnknownEntity } from './explain-unknown-entity.js';
import {
  getProjectionLifecycle,
  type ProjectionLifecycleHook,
} from './projection-lifecycle.decorator.js';
import type { ProjectionContext } from './projection-context.js';
import { InlineProjectionStateError } from '../core/errors/inline-projection-state.error.js';
import type { ProjectionMetadata } from './projection.decorator.js';
import type { PartitionScope } from './partition/partition-key.js';

/** Which copy of the read model a call is for: `next` only during a blue/green rebuild. */
export type ProjectionTarget = 'live' | 'next';

/** What a lifecycle hook (`@ProjectionInit`, `@ProjectionReset`, `@ProjectionDelete`, `@ProjectionSwap`) receives. */
export interface ProjectionHookContext {
  /** An EntityManager of the store's database (undefined on the in-memory store). */
  manager?: EntityManager;
  /** The copy of the read model to act on (always `live` outside a blue/green rebuild). */
  target: ProjectionTarget;
  /**
   * Partitioned projections: the one bucket being reset (`rebuild(name, { partition })`); empty
   * only the rows of keys it `owns`. Undefined when the whole projection is reset.
   */
  partition?: PartitionScope;
}

export interface ApplyContext {
  manager?: EntityManager;
  /** @default 'live' */
  target?: ProjectionTarget;
  isReplaying: (event: StoredEvent) => boolean;
  state?: { get(): unknown; set(state: unknown): void };
  /** Called before each event is handled (a failure then names that event). */
  onEvent?: (event: StoredEvent) => void;
  /** Inside an append (inline): there is no projection state to read or write. */
  inline?: boolean;
}

type Method = (...args: unknown[]) => unknown;

/**
 * One projection instance and its handlers: turns stored events into handler calls. Shared by the
 * async worker and the inline path, so both apply events the same way.
 */
export class ProjectionRunner {
  readonly types: string[];
  private readonly handlers: ReadonlyMap<EventClass, string | symbol>;

  constructor(
    readonly metadata: ProjectionMetadata,
    readonly instance: object,
    private readonly registry: EventRegistry,
    private readonly store: EventStore,
  ) {
    this.handlers = getProjectionHandlers(instance.constructor);
    this.registry.register(...this.handlers.keys());
    this.types = [...this.handlers.keys()].map((cls) => getDomainEventMetadata(cls)!.type);
  }

  get name(): string {
    return this.metadata.name;
  }

  handles(type: string): boolean {
    return this.types.includes(type);
  }

  async apply(events: readonly StoredEvent[], ctx: ApplyContext): Promise<void> {
    for (const stored of events) {
      if (!this.handles(stored.type)) continue;
      const event = this.registry.deserialize(stored, {
        skipUnknown: this.metadata.skipUnknownEvents,
      });
      if (event === undefined) continue;
      const method = this.handlers.get(event.constructor as EventClass);
      if (method === undefined) continue;
      const handler = (this.instance as Record<string | symbol, Method>)[method];
      ctx.onEvent?.(stored);
      const context = this.context(stored, ctx);
      try {
        await handler.call(this.instance, event, context);
      } catch (error) {
        throw explainUnknownEntity(error, this.name, context.manager);
      }
    }
  }

  /** Runs a lifecycle hook if the projection has one. */
  hasHook(hook: ProjectionLifecycleHook): boolean {
    return getProjectionLifecycle(this.instance.constructor)[hook] !== undefined;
  }

  async hook(
    hook: ProjectionLifecycleHook,
    manager?: EntityManager,
    target: ProjectionTarget = 'live',
    partition?: PartitionScope,
  ): Promise<void> {
    const method = getProjectionLifecycle(this.instance.constructor)[hook];
    if (method === undefined) return;
    const fn = (this.instance as Record<string | symbol, Method>)[method];
    const context: ProjectionHookContext = { manager, target, ...(partition && { partition }) };
    await fn.call(this.instance, context);
  }

  private context(stored: StoredEvent, ctx: ApplyContext): ProjectionContext {
    const isReplaying = ctx.isReplaying(stored);
    return {
      manager: ctx.manager,
      streamId: stored.streamId,
      version: stored.version,
      globalPosition: stored.globalPosition,
      eventId: stored.eventId,
      metadata: stored.metadata,
      occurredAt: stored.occurredAt,
      isReplaying,
      target: ctx.target ?? 'live',
      getState: <T>() => {
        if (ctx.inline) throw new InlineProjectionStateError(this.name, 'getState');
        return ctx.state?.get() as T | undefined;
      },
      setState: (state: unknown) => {
        if (ctx.inline) throw new InlineProjectionStateError(this.name, 'setState');
        ctx.state?.set(state);
      },
      emit: async (streamId: string, newEvents: NewEvent[]) => {
        if (isReplaying) return;
        // In the batch's (or append's) transaction: a rolled-back batch takes its emissions along.
        await this.store.appendToStream(streamId, newEvents, {
          manager: ctx.manager,
          metadata: { causationId: stored.eventId, correlationId: stored.metadata.correlationId },
        });
      },
    };
  }
}
