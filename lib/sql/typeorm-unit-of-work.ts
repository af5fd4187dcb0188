import type { DataSource } from 'typeorm';
import type { UnitOfWork, UnitOfWorkContext } from '../core/unit-of-work.js';
import { withConnectionLock } from './connection-lock.js';

/**
 * Each batch in one transaction of the DataSource: the handler's writes through `ctx.manager` and
 * the checkpoint commit together, or neither does.
 */
export class TypeOrmUnitOfWork implements UnitOfWork {
  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (ctx: UnitOfWorkContext) => Promise<T>): Promise<T> {
    return withConnectionLock(this.dataSource, () =>
      this.dataSource.transaction((manager) => work({ manager })),
    );
  }
}
