import type { UnitOfWork, UnitOfWorkContext } from '../core/unit-of-work.js';
import type { SqlExecutor } from './sql-executor.js';

/**
 * Each batch in one transaction of the DataSource: the handler's writes through `ctx.manager` and
 * the checkpoint commit together, or neither does.
 */
export class TypeOrmUnitOfWork implements UnitOfWork {
  constructor(private readonly sql: SqlExecutor) {}

  run<T>(work: (ctx: UnitOfWorkContext) => Promise<T>): Promise<T> {
    return this.sql.transaction((manager) => work({ manager }));
  }
}
