import { InvalidOptionsError } from '../../core/errors/invalid-options.error.js';
import { MysqlDialect } from './mysql.dialect.js';
import { PostgresDialect } from './postgres.dialect.js';
import type { SqlDialect } from './sql-dialect.js';
import { SqliteDialect } from './sqlite.dialect.js';

export const SUPPORTED_TYPES = ['postgres', 'mysql', 'mariadb', 'better-sqlite3'] as const;

export function dialectFor(type: string): SqlDialect {
  switch (type) {
    case 'postgres':
      return new PostgresDialect();
    case 'mysql':
    case 'mariadb':
      return new MysqlDialect();
    case 'better-sqlite3':
      return new SqliteDialect();
    default:
      throw new InvalidOptionsError(
        'type',
        `the event store does not support the TypeORM driver "${type}"; use one of ${SUPPORTED_TYPES.join(', ')}`,
      );
  }
}
