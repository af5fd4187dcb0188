import type { DataSource, DataSourceOptions } from 'typeorm';
import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import type { UpcasterDefinition } from '../serialization/serialization.types.js';
import { validateHeldBackWarningMs } from '../engine/monitoring.options.js';
import {
  SUPPORTED_DATABASE_TYPES,
  type SupportedDatabaseType,
} from '../sql/dialects/dialect-for.js';

/** The databases the module can open a connection to by itself. */
export type EventStoreDatabaseType = SupportedDatabaseType;

/** The options of `EventSourcingModule.forRoot` (and what `forRootAsync`'s factory returns). */
export interface EventSourcingModuleOptions {
  /**
   * Where events are stored. `'memory'` keeps them in memory (tests, prototypes). A database type
   * makes the module open (and, on shutdown, close) its own TypeORM DataSource. Omit it when
   * passing `dataSource`.
   */
  type?: EventStoreDatabaseType | 'memory';
  /** Connection URL, e.g. `postgres://user@host:5432/db`. */
  url?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  /** Database name; for better-sqlite3 the file path (`:memory:` for a throwaway database). */
  database?: string;
  /** Maximum connections in the pool the module opens. @default 10 */
  poolSize?: number;
  /**
   * How long a statement waits for a free pooled connection before failing with
   * `ConnectionAcquireTimeoutError` (PostgreSQL: pg's `connectionTimeoutMillis`; MySQL/MariaDB:
   * mysql2 has no such limit, the module adds one). Applies to the pool the module opens, and to
   * a given `dataSource`'s pool only when set explicitly. Not used by SQLite.
   * @default 10000
   */
  acquireTimeoutMs?: number;
  /**
   * An existing, initialised TypeORM DataSource (for example the one `@nestjs/typeorm` registered,
   * injected by `getDataSourceToken()` in `forRootAsync`). The app keeps one pool and can commit its
   * own entities and events in one transaction. The module never closes a DataSource it was given.
   */
  dataSource?: DataSource;
  /** Prefix of the store's tables. @default 'es_' */
  tablePrefix?: string;
  /** PostgreSQL schema or MySQL database for the store's tables. */
  schema?: string;
  /** Create the store's tables at startup if they are missing. @default true */
  migrate?: boolean;
  /**
   * Run projection and saga workers in this process. Turn off in one-off scripts and CLIs, or to
   * run workers in dedicated processes only (leases keep one active runner per projection anyway).
   * @default true
   */
  workers?: boolean;
  /** Upcasters of old event versions (they can also be providers decorated with `@Upcaster`). */
  upcasters?: UpcasterDefinition[];
  /**
   * Read-model entities of the DataSource the module opens (with `type`), so projections can write
   * them through `ctx.manager` and the app can read them (`@InjectEventStoreDataSource()`). Not
   * allowed with `dataSource`: register entities where that DataSource is configured.
   */
  entities?: NonNullable<DataSourceOptions['entities']>;
  /**
   * Let TypeORM create and alter the tables of `entities` at startup (development and tests; it
   * can drop columns, so use migrations in production). The store's own tables follow `migrate`.
   * @default false
   */
  synchronize?: boolean;
  /** Connection attempts at startup after the first one fails (like `@nestjs/typeorm`). @default 9 */
  retryAttempts?: number;
  /** Milliseconds between connection attempts at startup. @default 3000 */
  retryDelay?: number;
  /**
   * Log a warning when a transaction has held the projections and sagas of this process back this
   * long (PostgreSQL: a write transaction of this database; MySQL/MariaDB: the append lock's
   * holder), and a line when it clears. @default 30000
   */
  heldBackWarningMs?: number;
}

const KNOWN_KEYS = new Set<string>([
  'type',
  'url',
  'host',
  'port',
  'username',
  'password',
  'database',
  'poolSize',
  'acquireTimeoutMs',
  'dataSource',
  'tablePrefix',
  'schema',
  'migrate',
  'upcasters',
  'workers',
  'entities',
  'synchronize',
  'retryAttempts',
  'retryDelay',
  'heldBackWarningMs',
]);
const TYPES = new Set<string>([...SUPPORTED_DATABASE_TYPES, 'memory']);

/** Checks options at startup so a mistake stops boot with one message naming the option. */
export function validateOptions(options: unknown): EventSourcingModuleOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError(
      '(options)',
      'pass an options object to EventSourcingModule.forRoot()',
    );
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new InvalidOptionsError(
        key,
        `unknown option; known options are ${[...KNOWN_KEYS].join(', ')}`,
      );
    }
  }
  const o = options as EventSourcingModuleOptions;
  validateTarget(o);
  if (o.poolSize !== undefined && (!Number.isInteger(o.poolSize) || o.poolSize < 1)) {
    throw new InvalidOptionsError('poolSize', `${String(o.poolSize)} must be a whole number >= 1`);
  }
  if (
    o.acquireTimeoutMs !== undefined &&
    (!Number.isInteger(o.acquireTimeoutMs) || o.acquireTimeoutMs < 1)
  ) {
    throw new InvalidOptionsError(
      'acquireTimeoutMs',
      `${String(o.acquireTimeoutMs)} must be a whole number of milliseconds >= 1`,
    );
  }
  if (o.migrate !== undefined && typeof o.migrate !== 'boolean') {
    throw new InvalidOptionsError('migrate', 'must be true or false');
  }
  if (o.workers !== undefined && typeof o.workers !== 'boolean') {
    throw new InvalidOptionsError('workers', 'must be true or false');
  }
  validateOwnDataSourceOptions(o);
  validateHeldBackWarningMs(o.heldBackWarningMs);
  if (o.upcasters !== undefined && !Array.isArray(o.upcasters)) {
    throw new InvalidOptionsError('upcasters', 'must be an array of { type, fromVersion, upcast }');
  }
  return o;
}

/** Where the store lives: a known `type` with what it needs to connect, or an initialised DataSource. */
function validateTarget(o: EventSourcingModuleOptions): void {
  if (o.dataSource !== undefined && o.type !== undefined) {
    throw new InvalidOptionsError(
      'type',
      'give either "type" (and connection options) or "dataSource", not both',
    );
  }
  if (o.dataSource === undefined && o.type === undefined) {
    throw new InvalidOptionsError(
      'type',
      `missing: set type (${[...TYPES].map((t) => `'${t}'`).join(', ')}) or pass a dataSource`,
    );
  }
  if (o.type !== undefined && !TYPES.has(o.type)) {
    throw new InvalidOptionsError(
      'type',
      `"${String(o.type)}" is not one of ${[...TYPES].join(', ')}`,
    );
  }
  if (o.dataSource !== undefined && typeof o.dataSource.createQueryRunner !== 'function') {
    throw new InvalidOptionsError('dataSource', 'expected a TypeORM DataSource');
  }
  if (o.dataSource !== undefined && !o.dataSource.isInitialized) {
    throw new InvalidOptionsError(
      'dataSource',
      'the DataSource is not initialised; call initialize() first',
    );
  }
  const needsTarget = o.type !== undefined && o.type !== 'memory' && o.type !== 'better-sqlite3';
  if (needsTarget && o.url === undefined && o.host === undefined) {
    throw new InvalidOptionsError('url', `missing: ${o.type} needs a url or a host`);
  }
  if (o.type === 'better-sqlite3' && o.database === undefined && o.url === undefined) {
    throw new InvalidOptionsError(
      'database',
      'missing: better-sqlite3 needs a file path (or ":memory:")',
    );
  }
}

function validateOwnDataSourceOptions(o: EventSourcingModuleOptions): void {
  for (const key of ['entities', 'synchronize', 'retryAttempts', 'retryDelay'] as const) {
    if (o[key] !== undefined && o.dataSource !== undefined) {
      throw new InvalidOptionsError(
        key,
        'applies only to the DataSource the module opens (with "type"); configure it where your dataSource is created',
      );
    }
  }
  if (o.entities !== undefined && !Array.isArray(o.entities)) {
    throw new InvalidOptionsError('entities', 'must be an array of entity classes or schemas');
  }
  if (o.synchronize !== undefined && typeof o.synchronize !== 'boolean') {
    throw new InvalidOptionsError('synchronize', 'must be true or false');
  }
  for (const key of ['retryAttempts', 'retryDelay'] as const) {
    const value = o[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new InvalidOptionsError(key, `${String(value)} must be a whole number >= 0`);
    }
  }
}
