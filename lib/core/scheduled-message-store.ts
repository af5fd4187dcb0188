import type { EventMetadata, LogCheckpoint } from './event-store.types.js';
import type { TransactionHandle } from './transaction-handle.js';
import { immediateUnitOfWork, type UnitOfWork } from './unit-of-work.js';

/** `pending` until delivered, cancelled, or failed after its attempts. */
export type ScheduledMessageStatus = 'pending' | 'delivered' | 'cancelled' | 'failed';

/** `event`: delivered to the saga that scheduled it; `command`: sent through the CommandBus. */
export type ScheduledMessageKind = 'command' | 'event';

/** A command or event a saga scheduled for later, with its delivery state. */
export interface ScheduledMessage {
  /** A UUID. */
  id: string;
  /** The saga that scheduled it. */
  saga: string;
  /** The correlation key of the saga instance that scheduled it. */
  instance: string;
  /** Its key within the instance (to cancel or replace it), when it was given one. */
  key: string | undefined;
  kind: ScheduledMessageKind;
  /** The stored type name (`@DomainEvent` / `@DomainCommand`). */
  type: string;
  payload: unknown;
  /** Correlation and causation, and the payload's schema version. */
  metadata: EventMetadata;
  dueAt: Date;
  /**
   * The head of the log observed once the message was due (set by the scheduler). It is delivered
   * only after its saga's checkpoint has reached this head: after every event committed before it
   * was due. Undefined until the scheduler first saw it due.
   */
  waitsFor: LogCheckpoint | undefined;
  status: ScheduledMessageStatus;
  attempts: number;
  lastError: string | undefined;
  createdAt: Date;
  updatedAt: Date;
}

/** What a saga gives the store when it schedules a message. */
export type NewScheduledMessage = Pick<
  ScheduledMessage,
  'id' | 'saga' | 'instance' | 'key' | 'kind' | 'type' | 'payload' | 'metadata' | 'dueAt'
>;

/** Which due messages to read. */
export interface DueFilter {
  /** Leave out the messages of these sagas (they wait for their saga to catch up). */
  exceptSagas?: readonly string[];
}

/** Which scheduled messages `list` returns. */
export interface ScheduledListFilter {
  saga?: string;
  status?: ScheduledMessageStatus;
}

/** A transaction to join (database stores); ignored by the in-memory store. */
export interface InTransaction {
  /** From this store's `unitOfWork()` (a TypeORM `EntityManager` on a SQL store). */
  manager?: TransactionHandle;
}

/**
 * Where sagas keep the messages they scheduled for later: `<prefix>scheduled_messages` beside the
 * events on a database store, a map with the in-memory store. Times are the injectable `Clock`'s.
 */
export abstract class ScheduledMessageStore {
  /**
   * Stores a pending message. An id already stored is left alone (a retried schedule); a pending
   * message of the same saga instance and key is cancelled first (it is replaced).
   */
  abstract schedule(message: NewScheduledMessage, options?: InTransaction): Promise<void>;

  /** Cancels the pending message of a saga instance under `key`; false when there was none. */
  abstract cancel(
    saga: string,
    instance: string,
    key: string,
    options?: InTransaction,
  ): Promise<boolean>;

  /** Pending messages due at `now`, soonest first. */
  abstract due(now: Date, limit: number, filter?: DueFilter): Promise<ScheduledMessage[]>;

  /**
   * Records `head` as the log head every pending message due at `now` waits for, except those that
   * have one (a message keeps the first head observed after its due time).
   */
  abstract observeHead(now: Date, head: LogCheckpoint): Promise<void>;

  /**
   * Inside a delivery's transaction: true when the message is still pending (on a database, its
   * row is then locked until the transaction ends, so a concurrent cancel waits for it).
   */
  abstract claim(id: string, options?: InTransaction): Promise<boolean>;

  abstract markDelivered(id: string): Promise<void>;

  /** Records a failed delivery: pending again at `retryAt`, or `failed` when undefined. */
  abstract markAttemptFailed(id: string, error: string, retryAt: Date | undefined): Promise<void>;

  /** Makes a failed (or cancelled) message pending again, due at `dueAt` (it observes the head again). */
  abstract reschedule(id: string, dueAt: Date): Promise<void>;

  abstract list(filter?: ScheduledListFilter): Promise<ScheduledMessage[]>;

  /** How a saga's new events and its schedule changes commit together. */
  abstract unitOfWork(): UnitOfWork;
}

export interface InMemoryScheduledMessageStoreOptions {
  /** The clock that stamps rows. @default () => new Date() */
  now?: () => Date;
}

/** The reference implementation, in memory (not transactional). */
export class InMemoryScheduledMessageStore extends ScheduledMessageStore {
  private readonly rows = new Map<string, ScheduledMessage>();
  private readonly now: () => Date;

  constructor(options: InMemoryScheduledMessageStoreOptions = {}) {
    super();
    this.now = options.now ?? (() => new Date());
  }

  async schedule(message: NewScheduledMessage): Promise<void> {
    if (this.rows.has(message.id)) return;
    if (message.key !== undefined) this.cancelNow(message.saga, message.instance, message.key);
    const now = this.now();
    this.rows.set(message.id, {
      ...structuredClone(message),
      waitsFor: undefined,
      status: 'pending',
      attempts: 0,
      lastError: undefined,
      createdAt: now,
      updatedAt: now,
    });
  }

  async cancel(saga: string, instance: string, key: string): Promise<boolean> {
    return this.cancelNow(saga, instance, key);
  }

  async due(now: Date, limit: number, filter: DueFilter = {}): Promise<ScheduledMessage[]> {
    const except = new Set(filter.exceptSagas);
    return [...this.rows.values()]
      .filter((m) => m.status === 'pending' && m.dueAt.getTime() <= now.getTime())
      .filter((m) => !except.has(m.saga))
      .sort(bySchedule)
      .slice(0, limit)
      .map((m) => structuredClone(m));
  }

  async observeHead(now: Date, head: LogCheckpoint): Promise<void> {
    for (const m of this.rows.values()) {
      if (m.status !== 'pending' || m.waitsFor !== undefined) continue;
      if (m.dueAt.getTime() <= now.getTime()) this.update(m.id, (row) => (row.waitsFor = head));
    }
  }

  async claim(id: string): Promise<boolean> {
    return this.rows.get(id)?.status === 'pending';
  }

  async markDelivered(id: string): Promise<void> {
    // Only a pending message: one cancelled meanwhile stays cancelled, as in a database.
    if (this.rows.get(id)?.status !== 'pending') return;
    this.update(id, (m) => (m.status = 'delivered'));
  }

  async markAttemptFailed(id: string, error: string, retryAt: Date | undefined): Promise<void> {
    this.update(id, (m) => {
      m.attempts++;
      m.lastError = error;
      if (retryAt) m.dueAt = retryAt;
      else m.status = 'failed';
    });
  }

  async reschedule(id: string, dueAt: Date): Promise<void> {
    this.update(id, (m) => {
      m.status = 'pending';
      m.dueAt = dueAt;
      m.waitsFor = undefined;
    });
  }

  async list(filter: ScheduledListFilter = {}): Promise<ScheduledMessage[]> {
    return [...this.rows.values()]
      .filter((m) => filter.saga === undefined || m.saga === filter.saga)
      .filter((m) => filter.status === undefined || m.status === filter.status)
      .sort(bySchedule)
      .map((m) => structuredClone(m));
  }

  unitOfWork(): UnitOfWork {
    return immediateUnitOfWork;
  }

  private cancelNow(saga: string, instance: string, key: string): boolean {
    let cancelled = false;
    for (const m of this.rows.values()) {
      if (m.status === 'pending' && m.saga === saga && m.instance === instance && m.key === key) {
        m.status = 'cancelled';
        m.updatedAt = this.now();
        cancelled = true;
      }
    }
    return cancelled;
  }

  private update(id: string, change: (message: ScheduledMessage) => void): void {
    const row = this.rows.get(id);
    if (!row) return;
    change(row);
    row.updatedAt = this.now();
  }
}

function bySchedule(a: ScheduledMessage, b: ScheduledMessage): number {
  return a.dueAt.getTime() - b.dueAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
