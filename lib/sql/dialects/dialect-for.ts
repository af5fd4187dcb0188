import { InvalidOptionsError } from '../../core/errors/invalid-options.error.js';
import { MysqlDialect } from './mysql.dialect.js';
import { PostgresDialect } from './postgres.dialect.js';
import type { SqlDialect } from './sql-dialect.js';
import { SqliteDialect } from './sqlite.dialect.js';

/**
 * The TypeORM driver types the SQL stores support, each with the npm packages TypeORM loads for it
 * (optional peers of this package; the first is the one the library is tested with). The one list
 * of databases, used wherever one is needed.
 */
export const DATABASE_DRIVERS = {
  postgres: ['pg'],
  // TypeORM tries mysql, then mysql2; mysql2 is the one this library is tested with.
  mysql: ['mysql2', 'mysql'],
  mariadb: ['mysql2', 'mysql'],
  'better-sqlite3': ['better-sqlite3'],
} as const satisfies Record<string, readonly string[]>;

export type SupportedDatabaseType = keyof typeof DATABASE_DRIVERS;
export const SUPPORTED_DATABASE_TYPES = Object.keys(DATABASE_DRIVERS) as SupportedDatabaseType[];

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
