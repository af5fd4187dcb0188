import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/** An instance as the registry sees it. */
export interface InstanceInfo {
  instanceId: string;
  /** Its last heartbeat, by its own clock. */
  heartbeatAt: Date;
  /**
   * Its heartbeat is recent (within the registry's time to live): it counts when the instances
   * split the workers. A gone instance stopped beating (killed, or cut off from the database); its
   * leases expire by themselves and the live instances take them over.
   */
  live: boolean;
}

export interface InstanceListOptions {
  /**
   * Also the instances whose heartbeat has stopped but whose row is still stored (an instance that
   * shut down gracefully removes its row; a killed one leaves it behind for a while). @default false
   */
  includeGone?: boolean;
}

/** A name for this process that is unique across machines and restarts. */
export function newInstanceId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * The instances of an application that share the workers. `SingleInstanceRegistry` is the
 * reference (one instance: no database to meet in); `SqlInstanceRegistry` (lib/sql) keeps a
 * heartbeat row per instance in the store's database. Also the DI token.
 */
export abstract class InstanceRegistry {
  abstract readonly instanceId: string;
  /** Live instances, this one included (at least 1), as of the last heartbeat. */
  abstract liveCount(): number;
  /** Announces this instance and keeps announcing it until `stop()`. */
  abstract start(): Promise<void>;
  /** Withdraws this instance, so the others take its share at once. */
  abstract stop(): Promise<void>;
  /** The live instances (and the gone ones still stored, on request), by instance id. */
  abstract list(options?: InstanceListOptions): Promise<InstanceInfo[]>;
}

/** One instance, alone: the in-memory store has no database through which instances could meet. */
export class SingleInstanceRegistry extends InstanceRegistry {
  readonly instanceId = newInstanceId();

  liveCount(): number {
    return 1;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  list(): Promise<InstanceInfo[]> {
    return Promise.resolve([{ instanceId: this.instanceId, heartbeatAt: new Date(), live: true }]);
  }
}
