import type { SchemaPart } from '../core/schema-part.js';

/**
 * Every table the library keeps in the store's database (events, snapshots, subscriptions, and the
 * parts added since: sagas, scheduled messages, inbox, ...) as one schema part. The provider the
 * operator CLI's `schema sql | migrate` resolves, so that it needs nothing of how the connection
 * is built; the core module provides the connection under this token.
 */
export abstract class StoreSchema implements SchemaPart {
  /** Idempotent DDL of every table (empty for the in-memory store). */
  abstract schemaSql(): string[];
  /** Creates every missing table. */
  abstract migrate(): Promise<void>;
}
