import { Logger } from '@nestjs/common';
import {
  DEFAULT_CONNECT_RETRY_ATTEMPTS,
  DEFAULT_CONNECT_RETRY_DELAY_MS,
} from '../core/defaults.js';
import { errorMessage } from '../core/error-message.js';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { EventStoreConnectionError } from '../core/errors/event-store-connection.error.js';
import { MissingDatabaseDriverError } from '../core/errors/missing-database-driver.error.js';
import type { EventSourcingModuleOptions } from './event-sourcing.options.js';
import { DATABASE_DRIVERS } from '../sql/dialects/dialect-for.js';

/** The npm packages TypeORM loads for each database type (optional peers of this package). */
const DRIVER_PACKAGES: Record<string, readonly string[]> = DATABASE_DRIVERS;

type Resolve = (specifier: string) => string;

/**
 * Fails with a message naming the package to install when the database's driver is missing;
 * TypeORM would otherwise report it deep inside `initialize()`. Resolved from TypeORM's location,
 * where TypeORM itself looks.
 */
export function assertDriverInstalled(
  type: string,
  resolve: Resolve = createRequire(createRequire(import.meta.url).resolve('typeorm')).resolve,
): void {
  const packages = DRIVER_PACKAGES[type];
  if (!packages) return;
  for (const name of packages) {
    try {
      resolve(name);
      return;
    } catch {
      // try the next candidate
    }
  }
  throw new MissingDatabaseDriverError(type, packages[0]);
}

/** Where the module connects, for messages: no user name, no password. */
export function describeTarget(o: EventSourcingModuleOptions): string {
  if (o.type === 'better-sqlite3')
    return `better-sqlite3 file ${o.database ?? o.url ?? ':memory:'}`;
  if (o.url !== undefined) {
    try {
      const url = new URL(o.url);
      const database = o.database ?? url.pathname.replace(/^\//, '');
      return `${o.type}://${url.host}/${database}`;
    } catch {
      return `${o.type} (an unparsable url)`;
    }
  }
  const port = o.port === undefined ? '' : `:${o.port}`;
  return `${o.type}://${o.host ?? 'localhost'}${port}/${o.database ?? ''}`;
}

/**
 * Opens the DataSource the module owns, retrying like `@nestjs/typeorm` (`retryAttempts` more
 * tries, `retryDelay` ms apart), so an app that starts before its database comes up waits for it.
 */
export async function openOwnDataSource(o: EventSourcingModuleOptions): Promise<DataSource> {
  assertDriverInstalled(o.type!);
  const logger = new Logger('EventSourcing');
  const target = describeTarget(o);
  const retries = o.retryAttempts ?? DEFAULT_CONNECT_RETRY_ATTEMPTS;
  const delay = o.retryDelay ?? DEFAULT_CONNECT_RETRY_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await new DataSource(toDataSourceOptions(o)).initialize();
    } catch (error) {
      if (attempt > retries) throw new EventStoreConnectionError(target, attempt, error);
      const reason = errorMessage(error);
      logger.warn(
        `cannot connect to the event store at ${target} (attempt ${attempt} of ${retries + 1}): ${reason}; retrying in ${delay} ms`,
      );
      await sleep(delay);
    }
  }
}

function toDataSourceOptions(o: EventSourcingModuleOptions): DataSourceOptions {
  const entities = { entities: o.entities ?? [], synchronize: o.synchronize ?? false };
  if (o.type === 'better-sqlite3') {
    // WAL lets readers (projections, HTTP reads) run while a write commits.
    const database = o.database ?? o.url ?? ':memory:';
    return { type: 'better-sqlite3', database, enableWAL: true, ...entities };
  }
  return {
    type: o.type as 'postgres' | 'mysql' | 'mariadb',
    url: o.url,
    host: o.host,
    port: o.port,
    username: o.username,
    password: o.password,
    database: o.database,
    poolSize: o.poolSize,
    ...(o.type === 'postgres' && o.schema !== undefined ? { schema: o.schema } : {}),
    ...entities,
  };
}
