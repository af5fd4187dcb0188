import type { ChangeFeed } from '../core/change-feed.js';

/**
 * What the application gives the workers of projections, sagas and forwarders, whatever store
 * backs them. An abstract class so that it is also the DI token: lib/nest builds it from the
 * store's connection; a test can pass a plain object.
 */
export abstract class WorkerEnvironment {
  /**
   * Whether workers start at bootstrap. False with the module option `workers: false` and in the
   * operator CLI; `start(name)` still works.
   */
  abstract readonly autoStart: boolean;
  /** "New events were committed": wakes the workers at once instead of at their next poll. */
  abstract readonly changes: ChangeFeed;
  /**
   * How long a transaction has been holding every reader of the log back, in ms; undefined where
   * readers cannot be held back (SQLite, in memory).
   */
  abstract heldBackMs(): Promise<number | undefined>;
}
