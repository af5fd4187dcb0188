import { Logger } from '@nestjs/common';
import type { DataSource, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import type { TransactionHandle } from '../core/transaction-handle.js';
import { entityManagerOf } from './entity-manager-of.js';

const logger = new Logger('EventSourcing');

interface Pending {
  /** The transaction depth (1: top level, more: a savepoint) the callback was registered at. */
  depth: number;
  callback: () => void;
}

/** TypeORM keeps the depth protected; savepoints need it to know what a rollback undid. */
function depthOf(runner: QueryRunner): number {
  return (runner as unknown as { transactionDepth: number }).transactionDepth;
}

/**
 * Runs callbacks once the transaction of a query runner commits, through TypeORM's own
 * `afterTransactionCommit` / `afterTransactionRollback` subscriber events. A rollback (of the
 * transaction, or of the savepoint the callback was registered in) drops them unrun.
 */
class AfterCommitSubscriber implements EntitySubscriberInterface {
  private readonly pending = new WeakMap<QueryRunner, Pending[]>();

  add(runner: QueryRunner, callback: () => void): void {
    const list = this.pending.get(runner) ?? [];
    list.push({ depth: depthOf(runner), callback });
    this.pending.set(runner, list);
  }

  afterTransactionCommit({ queryRunner }: { queryRunner: QueryRunner }): void {
    const list = this.pending.get(queryRunner);
    if (!list) return;
    if (queryRunner.isTransactionActive) {
      // A released savepoint: its callbacks now belong to the enclosing level.
      const depth = depthOf(queryRunner);
      for (const entry of list) entry.depth = Math.min(entry.depth, depth);
      return;
    }
    this.pending.delete(queryRunner);
    for (const entry of list) {
      // The transaction has committed: a failing callback must not make the caller think it did not.
      try {
        entry.callback();
      } catch (error) {
        logger.error(`A callback after commit failed: ${(error as Error).message}`);
      }
    }
  }

  afterTransactionRollback({ queryRunner }: { queryRunner: QueryRunner }): void {
    const list = this.pending.get(queryRunner);
    if (!list) return;
    if (!queryRunner.isTransactionActive) {
      this.pending.delete(queryRunner);
      return;
    }
    const depth = depthOf(queryRunner);
    this.pending.set(
      queryRunner,
      list.filter((entry) => entry.depth <= depth),
    );
  }
}

const subscribers = new WeakMap<DataSource, AfterCommitSubscriber>();

/** The query runner of an open transaction behind `manager`, if it has one. */
export function transactionOf(manager: TransactionHandle | undefined): QueryRunner | undefined {
  const runner = entityManagerOf(manager)?.queryRunner;
  return runner?.isTransactionActive ? runner : undefined;
}

/**
 * Calls `callback` after the transaction `runner` has open commits, or never if it rolls back.
 * Nothing is called before the commit, so a handler never sees work that may still be undone.
 */
export function afterCommit(runner: QueryRunner, callback: () => void): void {
  const dataSource = runner.connection;
  let subscriber = subscribers.get(dataSource);
  if (!subscriber) {
    subscriber = new AfterCommitSubscriber();
    subscribers.set(dataSource, subscriber);
    dataSource.subscribers.push(subscriber);
  }
  subscriber.add(runner, callback);
}
