import type { EntityManager } from 'typeorm';

/**
 * Where the inbox remembers which (handler, event id) pairs were applied. An abstract class so
 * that it is also the DI token: lib/nest builds the SQL one for a database, the in-memory one
 * otherwise.
 */
export abstract class InboxStore {
  /**
   * Runs `apply` unless `handler` applied `eventId` before, in one transaction with the record
   * that it did (`manager` is that transaction; undefined in memory). Resolves false, having run
   * nothing, for a duplicate; a rejected `apply` records nothing.
   */
  abstract applyOnce(
    handler: string,
    eventId: string,
    apply: (manager: EntityManager | undefined) => Promise<void>,
  ): Promise<boolean>;
}

/** The inbox of the in-memory store (no database): handler -> event ids applied. */
export class InMemoryInboxStore extends InboxStore {
  private readonly applied = new Map<string, Set<string>>();

  async applyOnce(
    handler: string,
    eventId: string,
    apply: (manager: EntityManager | undefined) => Promise<void>,
  ): Promise<boolean> {
    const seen = this.applied.get(handler) ?? new Set<string>();
    this.applied.set(handler, seen);
    if (seen.has(eventId)) return false;
    await apply(undefined);
    seen.add(eventId);
    return true;
  }
}
