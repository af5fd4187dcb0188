import type { EntityManager } from 'typeorm';
import type { TransactionHandle } from '../core/transaction-handle.js';
import { ForeignTransactionError } from '../core/errors/foreign-transaction.error.js';

/**
 * Narrows core's opaque transaction handle to what the SQL stores hand out: a TypeORM
 * `EntityManager`. By shape rather than `instanceof`, because an app may load a second copy of
 * TypeORM (its own beside ours), and TypeORM exports no public check for an EntityManager.
 */
export function entityManagerOf(handle: TransactionHandle | undefined): EntityManager | undefined {
  if (handle === undefined) return undefined;
  const manager = handle as Partial<EntityManager>;
  if (typeof manager.query === 'function' && manager.connection !== undefined) {
    return handle as EntityManager;
  }
  throw new ForeignTransactionError('SQL store', 'a TypeORM EntityManager');
}
