import { InvalidOptionsError } from '../../core/errors/invalid-options.error.js';
import { MysqlDialect } from './mysql.dialect.js';
import { PostgresDialect } from './postgres.dialect.js';
import type { SqlDialect } from './sql-dialect.js';
import { SqliteDialect } from './sqlite.dialect.js';

/** The TypeORM driver types the SQL stores support: the one list, used wherever one is needed. */
export const SUPPORTED_DATABASE_TYPES = ['postgres', 'mysql', 'mariadb', 'better-sqlite3'] as const;
export type SupportedDatabaseType = (typeof SUPPORTED_DATABASE_TYPES)[number];

/** The dialect of a TypeORM driver type: the one switch over databases. */
export function dialectFor(type: string): SqlDialect {
  switch (type as SupportedDatabaseType) {
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
        `the SQL stores do not support the TypeORM driver "${type}"; use one of ${SUPPORTED_DATABASE_TYPES.join(', ')}`,
      );
  }
}
