import { Logger } from '@nestjs/common';
import { DEFAULT_ACQUIRE_TIMEOUT_MS } from '../core/defaults.js';
import type { DataSource } from 'typeorm';
import type { EventStore } from '../core/event-store.js';
import { InMemoryEventStore } from '../core/in-memory/in-memory-event-store.js';
import type { SnapshotStore } from '../core/snapshot-store.js';
import { InlineProjectionUnsupportedError } from '../core/errors/inline-projection-unsupported.error.js';
import type { InlineAppendHandler } from '../core/inline-append-handler.js';
import type { SchemaPart } from '../core/schema-part.js';
import type { TransactionHandle } from '../core/transaction-handle.js';
import { afterCommit, transactionOf } from '../sql/after-commit.js';
import { InMemorySubscriptionStore } from '../core/in-memory/in-memory-subscription-store.js';
import type { SubscriptionStore } from '../core/subscription-store.js';
import { TypeOrmSubscriptionStore } from '../sql/typeorm-subscription-store.js';
import { TypeOrmEventStore } from '../sql/typeorm-event-store.js';
import { PostgresNotifier } from '../sql/dialects/postgres-notifier.js';
import { ChangeFeed } from '../core/change-feed.js';
import { guardPoolAcquire } from '../sql/pool-acquire-timeout.js';
import type { EventSourcingModuleOptions } from './event-sourcing.options.js';
import { MissingTablesError } from '../core/errors/missing-tables.error.js';
import { openOwnDataSource } from './open-data-source.js';
import { findMissingTables } from '../sql/schema-check.js';
import { withAppendTracing } from '../telemetry/traced-event-store.js';
import type { StoreSchema } from './store-schema.js';

/** The stores the module builds: traced when `@opentelemetry/api` is installed. */
const TracedInMemoryEventStore = withAppendTracing(InMemoryEventStore);
const TracedTypeOrmEventStore = withAppendTracing(TypeOrmEventStore);

/** The store and, when the module opened it, the DataSource it must close on shutdown. */
export class EventStoreConnection implements StoreSchema {
  private static readonly logger = new Logger('EventSourcing');
  private readonly schemaParts: SchemaPart[] = [];
  /** Wakes workers when events were committed (here, or elsewhere on PostgreSQL). */
  readonly changes = new ChangeFeed();
  private notifier: PostgresNotifier | undefined;

  private constructor(
    readonly store: EventStore,
    readonly snapshots: SnapshotStore,
    readonly subscriptions: SubscriptionStore,
    readonly dataSource: DataSource | undefined,
    private readonly ownsDataSource: boolean,
    readonly options: EventSourcingModuleOptions = {},
    /** Inside the operator CLI: no workers, no missing-tables check. */
    private readonly operatorCli = false,
  ) {
    if (store instanceof TypeOrmEventStore) this.schemaParts.push(store);
    if (store instanceof TypeOrmEventStore || store instanceof InMemoryEventStore) {
      store.onAppended(() => this.changes.notify());
    }
    if (subscriptions instanceof TypeOrmSubscriptionStore) this.schemaParts.push(subscriptions);
  }

  /** Runs `handler` inside every append of an event it handles (inline projections). */
  addInlineHandler(handler: InlineAppendHandler): () => void {
    if (this.store instanceof TypeOrmEventStore || this.store instanceof InMemoryEventStore) {
      return this.store.addInlineHandler(handler);
    }
    throw new InlineProjectionUnsupportedError();
  }

  /** Runs `callback` after the transaction behind `manager` commits; false when none is open. */
  afterCommit(manager: TransactionHandle | undefined, callback: () => void): boolean {
    const runner = transactionOf(manager);
    if (!runner) return false;
    afterCommit(runner, callback);
    return true;
  }

  /** Every table the library keeps, as DDL (empty for the in-memory store). */
  schemaSql(): string[] {
    return this.schemaParts.flatMap((part) => part.schemaSql());
  }

  /** Creates every missing table. */
  async migrate(): Promise<void> {
    for (const part of this.schemaParts) await part.migrate();
  }

  /**
   * Adds tables of another part of the library (sagas, scheduled messages), created right away
   * unless the `migrate` option is false.
   */
  async addSchemaPart(part: SchemaPart): Promise<void> {
    this.schemaParts.push(part);
    if (this.options.migrate !== false) await part.migrate();
    else await this.assertTablesExist(part.schemaSql());
  }

  /**
   * With `migrate: false`, fails at boot naming the missing tables instead of at the first query.
   * The operator CLI skips it: `schema sql` and `schema migrate` are how the tables get created.
   */
  private async assertTablesExist(statements: string[]): Promise<void> {
    if (!this.dataSource || this.operatorCli) return;
    const missing = await findMissingTables(this.dataSource, statements);
    if (missing.length > 0) throw new MissingTablesError(missing);
  }

  /**
   * @param operatorCli true in the operator CLI's process: workers stay off whatever the options
   *   say, and missing tables are left to `schema migrate`.
   */
  static async open(
    moduleOptions: EventSourcingModuleOptions,
    operatorCli = false,
  ): Promise<EventStoreConnection> {
    const options = operatorCli ? { ...moduleOptions, workers: false } : moduleOptions;
    if (options.type === 'memory') {
      this.logger.log('Event store: in memory (events are lost when the process ends)');
      const store = new TracedInMemoryEventStore();
      return new EventStoreConnection(
        store,
        store.createSnapshotStore(),
        new InMemorySubscriptionStore(),
        undefined,
        false,
        options,
        operatorCli,
      );
    }
    return this.openSql(options, operatorCli);
  }

  /** The SQL stores on the given DataSource, or on one the module opens (and closes) itself. */
  private static async openSql(
    options: EventSourcingModuleOptions,
    operatorCli: boolean,
  ): Promise<EventStoreConnection> {
    const owns = options.dataSource === undefined;
    const dataSource = options.dataSource ?? (await openOwnDataSource(options));
    if (owns || options.acquireTimeoutMs !== undefined) {
      guardPoolAcquire(dataSource, options.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS);
    }
    try {
      const tables = { tablePrefix: options.tablePrefix, schema: options.schema };
      const store = new TracedTypeOrmEventStore(dataSource, tables);
      const subscriptions = new TypeOrmSubscriptionStore(dataSource, tables);
      const connection = new EventStoreConnection(
        store,
        store.createSnapshotStore(),
        subscriptions,
        dataSource,
        owns,
        options,
        operatorCli,
      );
      if (options.migrate !== false) await connection.migrate();
      else await connection.assertTablesExist(connection.schemaSql());
      if (dataSource.options.type === 'postgres') await connection.listen(options);
      this.logger.log(
        `Event store: ${dataSource.options.type}, tables ${options.tablePrefix ?? 'es_'}*` +
          (options.migrate === false ? ' (migration disabled)' : ''),
      );
      return connection;
    } catch (error) {
      if (owns) await dataSource.destroy();
      throw error;
    }
  }

  private async listen(options: EventSourcingModuleOptions): Promise<void> {
    const channel = `nestjs_es:${options.schema ?? 'default'}:${options.tablePrefix ?? 'es_'}`;
    const notifier = new PostgresNotifier(this.dataSource!, channel);
    await notifier.listen(() => this.changes.deliver());
    this.notifier = notifier;
    this.changes.connectRemote(notifier);
  }

  /** PostgreSQL: the server process id of the LISTEN connection (for operators and drills). */
  get listenerPid(): number | undefined {
    return this.notifier?.listenerPid;
  }

  async close(): Promise<void> {
    await this.notifier?.close();
    if (this.ownsDataSource && this.dataSource?.isInitialized) await this.dataSource.destroy();
  }
}
