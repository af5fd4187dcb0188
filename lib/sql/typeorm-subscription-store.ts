import { tableLocation } from './table-location.js';
import type { DataSource } from 'typeorm';
import type { SqlExecutor } from './sql-executor.js';
import type { TransactionHandle } from '../core/transaction-handle.js';
import type { LogCheckpoint } from '../core/event-store.types.js';
import { SubscriptionFencedError } from '../core/errors/subscription-fenced.error.js';
import {
  SubscriptionStore,
  type SaveCheckpointOptions,
  type SubscriptionFailurePoint,
  type SubscriptionFence,
  type SubscriptionRecord,
  type SubscriptionRunState,
} from '../core/subscription-store.js';
import type { UnitOfWork } from '../core/unit-of-work.js';
import type { SubscriptionDialect } from './dialects/subscription-dialect.js';
import { decodeSubscription } from './subscription-row.js';
import type { TypeOrmSubscriptionStoreOptions } from './typeorm-subscription-store.options.js';
import { TypeOrmUnitOfWork } from './typeorm-unit-of-work.js';

/**
 * Subscriptions in one table, `<prefix>subscriptions`, beside the events (PostgreSQL, MySQL/MariaDB,
 * SQLite through better-sqlite3). Leases are taken by the database clock, so the clocks of the
 * application servers do not matter. Batches run in a transaction of the same DataSource: a read
 * model in this database commits with its checkpoint.
 */
export class TypeOrmSubscriptionStore extends SubscriptionStore {
  private readonly sql: SqlExecutor;
  private readonly dialect: SubscriptionDialect;
  private readonly table: string;
  private readonly prefix: string;
  private readonly schema: string | undefined;
  private readonly work: UnitOfWork;

  constructor(dataSource: DataSource, options: TypeOrmSubscriptionStoreOptions = {}) {
    super();
    const location = tableLocation(dataSource, options);
    this.sql = location.sql;
    this.dialect = location.dialect.subscriptions;
    this.prefix = location.prefix;
    this.schema = location.schema;
    this.table = location.table('subscriptions');
    const work = new TypeOrmUnitOfWork(this.sql);
    const writeLock = this.dialect.takeWriteLock?.(this.table);
    // SQLite: a transaction that reads, then writes, fails at once (SQLITE_BUSY) when another
    // connection wrote in between; a batch whose first statement is a write waits its turn instead.
    this.work = writeLock
      ? {
          run: (batch) =>
            work.run(async (ctx) => {
              await this.run(writeLock, [], ctx.manager);
              return batch(ctx);
            }),
        }
      : work;
  }

  /** The DDL `migrate()` runs, for a DBA to review or apply by hand. Idempotent. */
  schemaSql(): string[] {
    return this.dialect.schemaStatements(this.table, this.prefix, this.schema);
  }

  /** Creates the table if it does not exist. Safe to run from several instances at once. */
  async migrate(): Promise<void> {
    await this.sql.migrate(this.schemaSql());
  }

  async load(name: string): Promise<SubscriptionRecord | undefined> {
    const result = await this.run(
      `SELECT ${this.dialect.columns} FROM ${this.table} WHERE name = ?`,
      [name],
    );
    return result.records.map(decodeSubscription)[0];
  }

  async list(): Promise<SubscriptionRecord[]> {
    const result = await this.run(
      `SELECT ${this.dialect.columns} FROM ${this.table} ORDER BY name`,
    );
    return result.records.map(decodeSubscription);
  }

  async saveCheckpoint(
    name: string,
    checkpoint: LogCheckpoint,
    options: SaveCheckpointOptions = {},
  ): Promise<void> {
    const { manager, fence, state, leaseTtlMs } = options;
    let sql = `UPDATE ${this.table} SET checkpoint = ?, updated_at = ${this.dialect.now}`;
    const params: unknown[] = [checkpoint];
    if (state !== undefined) {
      sql += ', projection_state = ?';
      params.push(state === null ? null : JSON.stringify(state));
    }
    if (fence && leaseTtlMs !== undefined) {
      // The fence below makes it the owner's own lease: a refused save (no row) extends nothing.
      sql += `, lease_expires_at = ${this.dialect.nowPlusMs}`;
      params.push(leaseTtlMs);
    }
    sql += ' WHERE name = ?';
    params.push(name);
    if (fence) {
      sql += ` AND lease_owner = ? AND ${this.dialect.sameAs('checkpoint')}`;
      params.push(fence.owner, fence.checkpoint ?? null);
    }
    if ((await this.run(sql, params, manager)).affected === 1) return;
    if (fence) throw new SubscriptionFencedError(name, fence.owner);
    await this.insertIfAbsent(name, manager);
    await this.run(sql, params, manager);
  }

  async tryAcquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.sql.withRunner((runner) =>
      this.dialect.tryAcquireLease(this.sql.on(runner), this.table, name, owner, ttlMs),
    );
  }

  async renewLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const result = await this.run(
      `UPDATE ${this.table} SET lease_expires_at = ${this.dialect.nowPlusMs}, updated_at = ${this.dialect.now}
WHERE name = ? AND lease_owner = ?`,
      [ttlMs, name, owner],
    );
    return result.affected === 1;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.run(
      `UPDATE ${this.table} SET lease_owner = NULL, lease_expires_at = NULL, updated_at = ${this.dialect.now}
WHERE name = ? AND lease_owner = ?`,
      [name, owner],
    );
  }

  async claimBatch(
    name: string,
    fence: SubscriptionFence & { ttlMs: number },
    options: { manager?: TransactionHandle } = {},
  ): Promise<boolean> {
    // An UPDATE: it locks the row (and on SQLite takes the write lock) until the batch commits.
    const result = await this.run(
      `UPDATE ${this.table} SET lease_expires_at = ${this.dialect.nowPlusMs}, updated_at = ${this.dialect.now}
WHERE name = ? AND lease_owner = ? AND lease_expires_at > ${this.dialect.now} AND ${this.dialect.sameAs('checkpoint')}`,
      [fence.ttlMs, name, fence.owner, fence.checkpoint ?? null],
      options.manager,
    );
    return result.affected === 1;
  }

  async markFailed(name: string, error: string, at: SubscriptionFailurePoint): Promise<void> {
    await this.insertIfAbsent(name);
    const now = this.dialect.now;
    await this.run(
      `UPDATE ${this.table} SET state = 'failed', last_error = ?, failed_position = ?,
  failed_checkpoint = ?, failed_at = ${now}, updated_at = ${now} WHERE name = ?`,
      [error, at.position, at.checkpoint, name],
    );
  }

  async markState(name: string, state: SubscriptionRunState): Promise<void> {
    await this.insertIfAbsent(name);
    const clear =
      state === 'running'
        ? ', last_error = NULL, failed_position = NULL, failed_checkpoint = NULL, failed_at = NULL'
        : '';
    await this.run(
      `UPDATE ${this.table} SET state = ?, updated_at = ${this.dialect.now}${clear} WHERE name = ?`,
      [state, name],
    );
  }

  async reset(name: string): Promise<void> {
    await this.run(
      `UPDATE ${this.table} SET checkpoint = NULL, projection_state = NULL, updated_at = ${this.dialect.now}
WHERE name = ?`,
      [name],
    );
  }

  unitOfWork(): UnitOfWork {
    return this.work;
  }

  private async insertIfAbsent(name: string, manager?: TransactionHandle): Promise<void> {
    await this.run(
      `INSERT INTO ${this.table} (name, state, updated_at) VALUES (?, 'stopped', ${this.dialect.now}) ${this.dialect.onConflictDoNothing}`,
      [name],
      manager,
    );
  }

  /** Runs in the caller's transaction when given one, else on a connection of its own. */
  private run(sql: string, params: readonly unknown[] = [], manager?: TransactionHandle) {
    return this.sql.run(sql, params, manager);
  }
}
