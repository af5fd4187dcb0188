import type { TransactionHandle } from '../core/transaction-handle.js';
import { SnapshotStore, type Snapshot } from '../core/snapshot-store.js';
import { transactionOf } from './after-commit.js';
import type { EventTables } from './dialects/sql-dialect.js';
import type { SqlExecutor } from './sql-executor.js';

/** Snapshots in the `<prefix>snapshots` table created by the event store's migration. */
export class TypeOrmSnapshotStore extends SnapshotStore {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly tables: EventTables,
  ) {
    super();
  }

  async load(streamId: string): Promise<Snapshot | undefined> {
    const { records } = await this.sql.run(
      `SELECT version, revision, state FROM ${this.tables.snapshots} WHERE stream_id = ?`,
      [streamId],
    );
    if (records.length === 0) return undefined;
    const { version, revision, state } = records[0];
    return {
      streamId,
      version: Number(version),
      revision: Number(revision),
      state: typeof state === 'string' ? (JSON.parse(state) as unknown) : state,
    };
  }

  async save(snapshot: Snapshot, manager?: TransactionHandle): Promise<void> {
    const sql = this.sql.dialect.upsertSnapshotSql(this.tables);
    const params = [
      snapshot.streamId,
      snapshot.version,
      snapshot.revision,
      JSON.stringify(snapshot.state),
    ];
    const runner = transactionOf(manager);
    if (!runner) {
      await this.sql.run(sql, params);
      return;
    }
    // Under a savepoint: a failed snapshot must not abort the caller's transaction (PostgreSQL).
    await runner.startTransaction();
    try {
      await this.sql.on(runner)(sql, params);
      await runner.commitTransaction();
    } catch (error) {
      await runner.rollbackTransaction();
      throw error;
    }
  }
}
