import type { DataSource } from 'typeorm';
import type { TransactionHandle } from '../core/transaction-handle.js';
import { entityManagerOf } from './entity-manager-of.js';
import { SnapshotStore, type Snapshot } from '../core/snapshot-store.js';
import { withConnectionLock } from './connection-lock.js';
import type { EventTables, SqlDialect } from './dialects/sql-dialect.js';

/** Snapshots in the `<prefix>snapshots` table created by the event store's migration. */
export class TypeOrmSnapshotStore extends SnapshotStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly dialect: SqlDialect,
    private readonly tables: EventTables,
  ) {
    super();
  }

  async load(streamId: string): Promise<Snapshot | undefined> {
    const rows = await withConnectionLock(this.dataSource, () =>
      this.dataSource.query<Record<string, unknown>[]>(
        this.dialect.bind(
          `SELECT version, revision, state FROM ${this.tables.snapshots} WHERE stream_id = ?`,
        ),
        [streamId],
      ),
    );
    if (rows.length === 0) return undefined;
    const { version, revision, state } = rows[0];
    return {
      streamId,
      version: Number(version),
      revision: Number(revision),
      state: typeof state === 'string' ? (JSON.parse(state) as unknown) : state,
    };
  }

  async save(snapshot: Snapshot, manager?: TransactionHandle): Promise<void> {
    const runner = entityManagerOf(manager)?.queryRunner;
    const sql = this.dialect.bind(this.dialect.upsertSnapshotSql(this.tables));
    const params = [
      snapshot.streamId,
      snapshot.version,
      snapshot.revision,
      JSON.stringify(snapshot.state),
    ];
    if (runner?.isTransactionActive) {
      // Under a savepoint: a failed snapshot must not abort the caller's transaction (PostgreSQL).
      await runner.startTransaction();
      try {
        await runner.query(sql, params);
        await runner.commitTransaction();
      } catch (error) {
        await runner.rollbackTransaction();
        throw error;
      }
    } else await withConnectionLock(this.dataSource, () => this.dataSource.query(sql, params));
  }
}
