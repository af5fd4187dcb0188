import type { DataSource } from 'typeorm';
import { SagaFailureStore, type SagaFailure } from '../core/saga-failure-store.js';
import { date, SagaSql, text, type TypeOrmSagaStoreOptions } from './saga-sql.js';

const VALUES = [
  'event_type',
  'stream_id',
  'version',
  'position',
  'checkpoint',
  'error',
  'attempts',
  'failed_at',
];

/** Parked saga events in `<prefix>saga_failures`, beside the events (table: `TypeOrmSagaSchema`). */
export class TypeOrmSagaFailureStore extends SagaFailureStore {
  private readonly db: SagaSql;

  constructor(dataSource: DataSource, options: TypeOrmSagaStoreOptions = {}) {
    super();
    this.db = new SagaSql(dataSource, options);
  }

  async park(f: SagaFailure): Promise<void> {
    const d = this.db.dialect;
    await this.db.run(
      `INSERT INTO ${this.db.tables.failures} (saga, event_id, ${VALUES.join(', ')})
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ${d.timeParam}) ${d.onConflictUpdate(['saga', 'event_id'], VALUES)}`,
      [
        f.saga,
        f.eventId,
        f.eventType,
        f.streamId,
        f.version,
        f.position,
        f.checkpoint,
        f.error,
        f.attempts,
        this.db.time(f.failedAt),
      ],
    );
  }

  async list(saga?: string): Promise<SagaFailure[]> {
    const columns = `saga, event_id, ${VALUES.slice(0, -1).join(', ')}, ${this.db.dialect.readTime('failed_at')}`;
    const where = saga === undefined ? '' : ' WHERE saga = ?';
    const result = await this.db.run(
      `SELECT ${columns} FROM ${this.db.tables.failures}${where} ORDER BY position, saga`,
      saga === undefined ? [] : [saga],
    );
    return result.records.map((row) => ({
      saga: String(row.saga),
      eventId: String(row.event_id),
      eventType: String(row.event_type),
      streamId: String(row.stream_id),
      version: Number(row.version),
      position: Number(row.position),
      checkpoint: text(row.checkpoint) ?? '',
      error: String(row.error),
      attempts: Number(row.attempts),
      failedAt: date(row.failed_at),
    }));
  }

  async remove(saga: string, eventId: string): Promise<void> {
    await this.db.run(`DELETE FROM ${this.db.tables.failures} WHERE saga = ? AND event_id = ?`, [
      saga,
      eventId,
    ]);
  }
}
