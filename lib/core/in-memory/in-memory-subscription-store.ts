import type { LogCheckpoint } from '../event-store.types.js';
import { SubscriptionFencedError } from '../errors/subscription-fenced.error.js';
import {
  SubscriptionStore,
  type SaveCheckpointOptions,
  type SubscriptionFailurePoint,
  type SubscriptionFence,
  type SubscriptionRecord,
  type SubscriptionRunState,
} from '../subscription-store.js';
import { immediateUnitOfWork, type UnitOfWork } from '../unit-of-work.js';

export interface InMemorySubscriptionStoreOptions {
  /** The clock leases expire by, in milliseconds. @default Date.now */
  now?: () => number;
}

/**
 * The reference implementation, for tests and prototypes: the same rules as the database store,
 * kept in memory. Each method's body is synchronous, so its check and write cannot interleave.
 * A batch is not atomic here (handler, then save): use it with read models that are also in memory.
 */
export class InMemorySubscriptionStore extends SubscriptionStore {
  private readonly rows = new Map<string, SubscriptionRecord>();
  private readonly now: () => number;

  constructor(options: InMemorySubscriptionStoreOptions = {}) {
    super();
    this.now = options.now ?? Date.now;
  }

  async load(name: string): Promise<SubscriptionRecord | undefined> {
    const row = this.rows.get(name);
    return row && copy(row);
  }

  async list(): Promise<SubscriptionRecord[]> {
    return [...this.rows.values()].sort((a, b) => compareNames(a.name, b.name)).map(copy);
  }

  async saveCheckpoint(
    name: string,
    checkpoint: LogCheckpoint,
    options: SaveCheckpointOptions = {},
  ): Promise<void> {
    // Checked before the row is created: a refused save writes nothing, as in a database.
    if (options.fence && !this.fenceHolds(this.rows.get(name), options.fence)) {
      throw new SubscriptionFencedError(name, options.fence.owner);
    }
    const row = this.row(name);
    row.checkpoint = checkpoint;
    if (options.state !== undefined) row.projectionState = fromJson(options.state);
    if (options.fence && options.leaseTtlMs !== undefined) {
      row.leaseExpiresAt = new Date(this.now() + options.leaseTtlMs);
    }
    this.touch(row);
  }

  async tryAcquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const row = this.row(name);
    const free =
      row.leaseOwner === undefined ||
      row.leaseOwner === owner ||
      row.leaseExpiresAt === undefined ||
      row.leaseExpiresAt.getTime() <= this.now();
    if (!free) return false;
    row.leaseOwner = owner;
    row.leaseExpiresAt = new Date(this.now() + ttlMs);
    this.touch(row);
    return true;
  }

  async renewLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const row = this.rows.get(name);
    if (row?.leaseOwner !== owner) return false;
    row.leaseExpiresAt = new Date(this.now() + ttlMs);
    this.touch(row);
    return true;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    const row = this.rows.get(name);
    if (row?.leaseOwner !== owner) return;
    row.leaseOwner = undefined;
    row.leaseExpiresAt = undefined;
    this.touch(row);
  }

  async claimBatch(name: string, fence: SubscriptionFence & { ttlMs: number }): Promise<boolean> {
    const row = this.rows.get(name);
    const live = (row?.leaseExpiresAt?.getTime() ?? 0) > this.now();
    if (!row || !live || !this.fenceHolds(row, fence)) return false;
    row.leaseExpiresAt = new Date(this.now() + fence.ttlMs);
    this.touch(row);
    return true;
  }

  async markFailed(name: string, error: string, at: SubscriptionFailurePoint): Promise<void> {
    const row = this.row(name);
    row.state = 'failed';
    row.lastError = error;
    row.failedPosition = at.position;
    row.failedCheckpoint = at.checkpoint;
    row.failedAt = new Date(this.now());
    this.touch(row);
  }

  async markState(name: string, state: SubscriptionRunState): Promise<void> {
    const row = this.row(name);
    row.state = state;
    if (state === 'running') {
      row.lastError = row.failedPosition = row.failedCheckpoint = row.failedAt = undefined;
    }
    this.touch(row);
  }

  async reset(name: string): Promise<void> {
    const row = this.row(name);
    row.checkpoint = undefined;
    row.projectionState = undefined;
    this.touch(row);
  }

  unitOfWork(): UnitOfWork {
    return immediateUnitOfWork;
  }

  private row(name: string): SubscriptionRecord {
    let row = this.rows.get(name);
    if (!row) {
      row = {
        name,
        checkpoint: undefined,
        state: 'stopped',
        projectionState: undefined,
        leaseOwner: undefined,
        leaseExpiresAt: undefined,
        lastError: undefined,
        failedPosition: undefined,
        failedCheckpoint: undefined,
        failedAt: undefined,
        updatedAt: new Date(this.now()),
      };
      this.rows.set(name, row);
    }
    return row;
  }

  private fenceHolds(row: SubscriptionRecord | undefined, fence: SubscriptionFence): boolean {
    return (
      row !== undefined && row.leaseOwner === fence.owner && row.checkpoint === fence.checkpoint
    );
  }

  private touch(row: SubscriptionRecord): void {
    row.updatedAt = new Date(this.now());
  }
}

// Callers get copies, so changing a loaded record (or a saved state) cannot change the store.
function copy(row: SubscriptionRecord): SubscriptionRecord {
  return structuredClone(row);
}

// The state goes through JSON, as it would in a database: what is not JSON does not survive.
function fromJson(state: unknown): unknown {
  return state === null ? undefined : (JSON.parse(JSON.stringify(state)) as unknown);
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
