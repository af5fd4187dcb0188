import type { DataSource } from 'typeorm';
import type { TransactionHandle } from '../core/transaction-handle.js';
import {
  ParkedPartitionStore,
  type ParkedPartition,
  type ParkedWriteOptions,
} from '../core/parked-partition-store.js';
import { parkedPartitionDdl } from './dialects/parked-partition.ddl.js';
import { date, SagaSql, text, type TypeOrmSagaStoreOptions } from './saga-sql.js';
import { tableLocation } from './table-location.js';

const VALUES = [
  'bucket',
  'event_id',
  'event_type',
  'stream_id',
  'version',
  'position',
  'checkpoint',
  'error',
  'attempts',
  'parked_at',
];

/**
 * Parked keys of partitioned projections in `<prefix>projection_parked`, beside the events. It
 * shares the saga tables' plumbing (time columns, upserts, running in a caller's transaction).
 */
export class TypeOrmParkedPartitionStore extends ParkedPartitionStore {
  private readonly db: SagaSql;
  private readonly table: string;
  private readonly schema: string | undefined;

  constructor(
    private readonly dataSource: DataSource,
    options: Omit<TypeOrmSagaStoreOptions, 'now'> = {},
  ) {
    super();
    this.db = new SagaSql(dataSource, options);
    this.table = tableLocation(dataSource, options).table('projection_parked');
    this.schema = options.schema;
  }

  /** Idempotent DDL, for a DBA to review or apply by hand. */
  schemaSql(): string[] {
    return parkedPartitionDdl(this.dataSource.options.type, this.table, this.schema);
  }

  /** Creates the table if it is missing. Safe to run from several instances at once. */
  async migrate(): Promise<void> {
    await this.db.migrate(this.schemaSql());
  }

  async park(p: ParkedPartition, options: ParkedWriteOptions = {}): Promise<void> {
    const d = this.db.dialect;
    await this.db.run(
      `INSERT INTO ${this.table} (projection, partition_key, ${VALUES.join(', ')}, retry_requested_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${d.timeParam}, NULL)
${d.onConflictUpdate(['projection', 'partition_key'], [...VALUES, 'retry_requested_at'])}`,
      [
        p.projection,
        p.key,
        p.partition,
        p.eventId,
        p.eventType,
        p.streamId,
        p.version,
        p.position,
        p.checkpoint,
        p.error,
        p.attempts,
        this.db.time(p.parkedAt),
      ],
      manager(options),
    );
  }

  async list(projection?: string, partition?: number): Promise<ParkedPartition[]> {
    const d = this.db.dialect;
    const where: string[] = [];
    const params: unknown[] = [];
    if (projection !== undefined) {
      where.push('projection = ?');
      params.push(projection);
    }
    if (partition !== undefined) {
      where.push('bucket = ?');
      params.push(partition);
    }
    const columns = `projection, partition_key, ${VALUES.slice(0, -1).join(', ')}, ${d.readTime('parked_at')}, ${d.readTime('retry_requested_at')}`;
    const result = await this.db.run(
      `SELECT ${columns} FROM ${this.table}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
ORDER BY position, projection, partition_key`,
      params,
    );
    return result.records.map(decode);
  }

  async keys(
    projection: string,
    partition: number,
    options: ParkedWriteOptions = {},
  ): Promise<string[]> {
    const result = await this.db.run(
      `SELECT partition_key FROM ${this.table} WHERE projection = ? AND bucket = ?`,
      [projection, partition],
      manager(options),
    );
    return result.records.map((row) => String(row.partition_key));
  }

  async find(projection: string, key: string): Promise<ParkedPartition | undefined> {
    return (await this.list(projection)).find((row) => row.key === key);
  }

  async remove(projection: string, key: string, options: ParkedWriteOptions = {}): Promise<void> {
    await this.db.run(
      `DELETE FROM ${this.table} WHERE projection = ? AND partition_key = ?`,
      [projection, key],
      manager(options),
    );
  }

  async retryFailed(projection: string, key: string, error: string): Promise<void> {
    await this.db.run(
      `UPDATE ${this.table} SET attempts = attempts + 1, error = ?, retry_requested_at = NULL
WHERE projection = ? AND partition_key = ?`,
      [error, projection, key],
    );
  }

  async requestRetry(projection: string, key: string): Promise<boolean> {
    const result = await this.db.run(
      `UPDATE ${this.table} SET retry_requested_at = ${this.db.dialect.timeParam}
WHERE projection = ? AND partition_key = ?`,
      [this.db.time(new Date()), projection, key],
    );
    return (result.affected ?? 0) > 0;
  }

  async clear(projection: string, partition?: number): Promise<void> {
    const bucket = partition === undefined ? '' : ' AND bucket = ?';
    await this.db.run(
      `DELETE FROM ${this.table} WHERE projection = ?${bucket}`,
      partition === undefined ? [projection] : [projection, partition],
    );
  }
}

function manager(options: ParkedWriteOptions): TransactionHandle | undefined {
  return options.manager;
}

function decode(row: Record<string, unknown>): ParkedPartition {
  const requested = row.retry_requested_at;
  return {
    projection: String(row.projection),
    key: String(row.partition_key),
    partition: Number(row.bucket),
    eventId: String(row.event_id),
    eventType: String(row.event_type),
    streamId: String(row.stream_id),
    version: Number(row.version),
    position: Number(row.position),
    checkpoint: text(row.checkpoint) ?? '',
    error: String(row.error),
    attempts: Number(row.attempts),
    parkedAt: date(row.parked_at),
    ...(requested == null ? {} : { retryRequestedAt: date(requested) }),
  };
}
