import type { StoredEvent } from './event-store.types.js';
import type { TransactionHandle } from './transaction-handle.js';

/** What an inline handler gets: the transaction of the append (none on the in-memory store). */
export interface InlineAppendContext {
  /** The append's transaction (a TypeORM `EntityManager` on a SQL store). */
  manager?: TransactionHandle;
}

/**
 * Work that runs inside every append of an event it handles (inline projections), whatever path
 * appended it: a repository save, `EventStore.appendToStream`, a process manager, `ctx.emit`.
 * It commits with the events or, when it throws, the append fails and nothing is kept.
 */
export interface InlineAppendHandler {
  handles(type: string): boolean;
  apply(events: readonly StoredEvent[], ctx: InlineAppendContext): Promise<void>;
}

/** The inline handlers of a store. */
export class InlineAppendHandlers {
  private readonly handlers = new Set<InlineAppendHandler>();

  /** Adds a handler; returns a function that removes it. */
  add(handler: InlineAppendHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  isEmpty(): boolean {
    return this.handlers.size === 0;
  }

  /** The handlers of any of these event types. */
  matching(types: readonly string[]): InlineAppendHandler[] {
    if (this.handlers.size === 0) return [];
    return [...this.handlers].filter((h) => types.some((type) => h.handles(type)));
  }

  static async run(
    handlers: readonly InlineAppendHandler[],
    events: readonly StoredEvent[],
    ctx: InlineAppendContext,
  ): Promise<void> {
    for (const handler of handlers) await handler.apply(events, ctx);
  }
}
