import type { DataSource } from 'typeorm';
import type { TransactionHandle } from '../core/transaction-handle.js';
import type { EventMetadata, LogCheckpoint } from '../core/event-store.types.js';
import {
  ScheduledMessageStore,
  type DueFilter,
  type InTransaction,
  type NewScheduledMessage,
  type ScheduledListFilter,
  type ScheduledMessage,
  type ScheduledMessageKind,
  type ScheduledMessageStatus,
} from '../core/scheduled-message-store.js';
import type { UnitOfWork } from '../core/unit-of-work.js';
import { TypeOrmUnitOfWork } from './typeorm-unit-of-work.js';
import { date, SagaSql, text, type TypeOrmSagaStoreOptions } from './saga-sql.js';

/**
 * Scheduled messages in `<prefix>scheduled_messages`, beside the events. A saga's schedule
 * changes commit in the transaction of its append (`unitOfWork()`). The table comes from
 * `TypeOrmSagaSchema`.
 */
export class TypeOrmScheduledMessageStore extends ScheduledMessageStore {
  private readonly db: SagaSql;
  private readonly work: TypeOrmUnitOfWork;
  private readonly columns: string;

  constructor(dataSource: DataSource, options: TypeOrmSagaStoreOptions = {}) {
    super();
    this.db = new SagaSql(dataSource, options);
    this.work = new TypeOrmUnitOfWork(this.db.executor);
    const d = this.db.dialect;
    this.columns = [
      'id, saga, instance, schedule_key, kind, type',
      d.readJson('payload'),
      d.readJson('metadata'),
      d.readTime('due_at'),
      'wait_for, status, attempts, last_error',
      d.readTime('created_at'),
      d.readTime('updated_at'),
    ].join(', ');
  }

  async schedule(m: NewScheduledMessage, options: InTransaction = {}): Promise<void> {
    const { dialect: d, tables: t } = this.db;
    const now = this.db.time(this.db.now());
    if (m.key !== undefined) {
      await this.db.run(
        `UPDATE ${t.scheduled} SET status = 'cancelled', updated_at = ${d.timeParam}
WHERE saga = ? AND instance = ? AND schedule_key = ? AND status = 'pending' AND id <> ?`,
        [now, m.saga, m.instance, m.key, m.id],
        options.manager,
      );
    }
    await this.db.run(
      `INSERT INTO ${t.scheduled} (id, saga, instance, schedule_key, kind, type, payload, metadata,
  due_at, status, attempts, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ${d.jsonParam}, ${d.jsonParam}, ${d.timeParam}, 'pending', 0, ${d.timeParam}, ${d.timeParam})
${d.onConflictIgnore(['id'])}`,
      [
        m.id,
        m.saga,
        m.instance,
        m.key ?? null,
        m.kind,
        m.type,
        JSON.stringify(m.payload ?? null),
        JSON.stringify(m.metadata ?? {}),
        this.db.time(m.dueAt),
        now,
        now,
      ],
      options.manager,
    );
  }

  async cancel(
    saga: string,
    instance: string,
    key: string,
    options: InTransaction = {},
  ): Promise<boolean> {
    const result = await this.db.run(
      `UPDATE ${this.db.tables.scheduled} SET status = 'cancelled', updated_at = ${this.db.dialect.timeParam}
WHERE saga = ? AND instance = ? AND schedule_key = ? AND status = 'pending'`,
      [this.db.time(this.db.now()), saga, instance, key],
      options.manager,
    );
    return (result.affected ?? 0) > 0;
  }

  async due(now: Date, limit: number, filter: DueFilter = {}): Promise<ScheduledMessage[]> {
    const except = filter.exceptSagas ?? [];
    const notIn = except.length ? ` AND saga NOT IN (${except.map(() => '?').join(', ')})` : '';
    const result = await this.db.run(
      `SELECT ${this.columns} FROM ${this.db.tables.scheduled}
WHERE status = 'pending' AND due_at <= ${this.db.dialect.timeParam}${notIn} ORDER BY due_at, id LIMIT ?`,
      [this.db.time(now), ...except, limit],
    );
    return result.records.map(decode);
  }

  async observeHead(now: Date, head: LogCheckpoint): Promise<void> {
    const time = this.db.dialect.timeParam;
    await this.db.run(
      `UPDATE ${this.db.tables.scheduled} SET wait_for = ?, updated_at = ${time}
WHERE status = 'pending' AND due_at <= ${time} AND wait_for IS NULL`,
      [head, this.db.time(this.db.now()), this.db.time(now)],
    );
  }

  async claim(id: string, options: InTransaction = {}): Promise<boolean> {
    // An UPDATE: it locks the row until the delivery's transaction ends.
    const result = await this.db.run(
      `UPDATE ${this.db.tables.scheduled} SET updated_at = ${this.db.dialect.timeParam}
WHERE id = ? AND status = 'pending'`,
      [this.db.time(this.db.now()), id],
      options.manager,
    );
    return result.affected === 1;
  }

  async markDelivered(id: string): Promise<void> {
    await this.update(`status = 'delivered'`, [], id, "AND status = 'pending'");
  }

  async markAttemptFailed(id: string, error: string, retryAt: Date | undefined): Promise<void> {
    if (retryAt) {
      await this.update(
        `attempts = attempts + 1, last_error = ?, due_at = ${this.db.dialect.timeParam}`,
        [error, this.db.time(retryAt)],
        id,
      );
    } else {
      await this.update(`attempts = attempts + 1, last_error = ?, status = 'failed'`, [error], id);
    }
  }

  async reschedule(id: string, dueAt: Date): Promise<void> {
    await this.update(
      `status = 'pending', wait_for = NULL, due_at = ${this.db.dialect.timeParam}`,
      [this.db.time(dueAt)],
      id,
    );
  }

  async list(filter: ScheduledListFilter = {}): Promise<ScheduledMessage[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.saga !== undefined) {
      where.push('saga = ?');
      params.push(filter.saga);
    }
    if (filter.status !== undefined) {
      where.push('status = ?');
      params.push(filter.status);
    }
    const result = await this.db.run(
      `SELECT ${this.columns} FROM ${this.db.tables.scheduled}` +
        (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
        ' ORDER BY due_at, id',
      params,
    );
    return result.records.map(decode);
  }

  unitOfWork(): UnitOfWork {
    return this.work;
  }

  private async update(
    set: string,
    params: unknown[],
    id: string,
    condition = '',
    manager?: TransactionHandle,
  ): Promise<void> {
    await this.db.run(
      `UPDATE ${this.db.tables.scheduled} SET ${set}, updated_at = ${this.db.dialect.timeParam}
WHERE id = ? ${condition}`,
      [...params, this.db.time(this.db.now()), id],
      manager,
    );
  }
}

function decode(row: Record<string, unknown>): ScheduledMessage {
  return {
    id: String(row.id),
    saga: String(row.saga),
    instance: String(row.instance),
    key: text(row.schedule_key),
    kind: row.kind as ScheduledMessageKind,
    type: String(row.type),
    payload: JSON.parse(String(row.payload)) as unknown,
    metadata: JSON.parse(String(row.metadata)) as EventMetadata,
    dueAt: date(row.due_at),
    waitsFor: text(row.wait_for),
    status: row.status as ScheduledMessageStatus,
    attempts: Number(row.attempts),
    lastError: text(row.last_error),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}
