import { InvalidOptionsError } from '../../core/errors/invalid-options.error.js';
import { MysqlSagaDialect } from './mysql.saga-dialect.js';
import { PostgresSagaDialect } from './postgres.saga-dialect.js';
import type { SagaDialect } from './saga-dialect.js';
import { SqliteSagaDialect } from './sqlite.saga-dialect.js';

export function sagaDialectFor(type: string): SagaDialect {
  switch (type) {
    case 'postgres':
      return new PostgresSagaDialect();
    case 'mysql':
    case 'mariadb':
      return new MysqlSagaDialect();
    case 'better-sqlite3':
      return new SqliteSagaDialect();
    default:
      throw new InvalidOptionsError(
        'type',
        `the saga stores do not support the TypeORM driver "${type}"; use postgres, mysql, mariadb or better-sqlite3`,
      );
  }
}
