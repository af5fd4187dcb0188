import type { TransactionHandle } from './transaction-handle.js';

/** What a unit of work hands to the batch it runs. */
export interface UnitOfWorkContext {
  /**
   * The transaction the batch runs in (a TypeORM `EntityManager` on a SQL store); undefined when
   * the unit of work is not a database transaction (in-memory store).
   */
  manager?: TransactionHandle;
}

/**
 * Runs one batch so that everything it writes commits together or not at all. A rejected `work`
 * must leave nothing behind that went through `ctx.manager`.
 */
export interface UnitOfWork {
  run<T>(work: (ctx: UnitOfWorkContext) => Promise<T>): Promise<T>;
}

/** No transaction: the work runs as it is (the in-memory store's unit of work). */
export const immediateUnitOfWork: UnitOfWork = {
  run: (work) => work({}),
};
