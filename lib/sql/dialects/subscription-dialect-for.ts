import { InvalidOptionsError } from '../../core/errors/invalid-options.error.js';
import { MysqlSubscriptionDialect } from './mysql.subscription-dialect.js';
import { PostgresSubscriptionDialect } from './postgres.subscription-dialect.js';
import type { SubscriptionDialect } from './subscription-dialect.js';
import { SqliteSubscriptionDialect } from './sqlite.subscription-dialect.js';

export function subscriptionDialectFor(type: string): SubscriptionDialect {
  switch (type) {
    case 'postgres':
      return new PostgresSubscriptionDialect();
    case 'mysql':
    case 'mariadb':
      return new MysqlSubscriptionDialect();
    case 'better-sqlite3':
      return new SqliteSubscriptionDialect();
    default:
      throw new InvalidOptionsError(
        'type',
        `the subscription store does not support the TypeORM driver "${type}"; use postgres, ` +
          'mysql, mariadb or better-sqlite3',
      );
  }
}
