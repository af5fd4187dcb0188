import type { EntityManager } from 'typeorm';
import type { TransactionHandle } from '../../core/transaction-handle.js';
import { SubscriptionTransientError } from '../../core/errors/subscription-transient.error.js';
import { SavepointLostError } from '../errors/savepoint-lost.error.js';

const SAVEPOINT = 'es_partition_apply';

/**
 * Runs `work` in a savepoint of the batch's transaction, so a failing event's writes (and on
 * PostgreSQL the aborted transaction) roll back alone. Named SQL savepoints rather than TypeORM's
 * nested transactions: when the savepoint is gone (the whole transaction ended), TypeORM would
 * swallow that and go on outside any transaction. In memory there is nothing to roll back.
 */
export async function inSavepoint(
  handle: TransactionHandle | undefined,
  work: (manager: EntityManager | undefined) => Promise<void>,
): Promise<void> {
  // The store's unit of work: an EntityManager on the SQL stores, undefined in memory.
  const manager = handle as EntityManager | undefined;
  if (!manager) return work(undefined);
  await manager.query(`SAVEPOINT ${SAVEPOINT}`);
  try {
    await work(manager);
  } catch (error) {
    try {
      await manager.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
    } catch (lost) {
      throw new SavepointLostError(error, lost);
    }
    throw error;
  }
  await manager.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
}

/** Errors a bucket must not park on: the batch fails as a whole (and is retried). */
export function failsTheBatch(error: unknown): boolean {
  return error instanceof SubscriptionTransientError || error instanceof SavepointLostError;
}
