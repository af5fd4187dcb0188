import type { EntityManager } from 'typeorm';
import type { InlineAppendHandler } from '../core/inline-append-handler.js';

/**
 * What projections need from the database their read models live in, whatever store backs it.
 * An abstract class so that it is also the DI token; lib/nest builds it for the configured store
 * (a TypeORM DataSource, or nothing for the in-memory store).
 */
export abstract class ProjectionStorage {
  /** What lifecycle hooks write through outside a batch (undefined with the in-memory store). */
  abstract readonly manager: EntityManager | undefined;
  /**
   * Runs `work` in one transaction of the read models' database (with no database, as it is):
   * a blue/green swap commits the tail, the swap and the checkpoint together.
   */
  abstract transaction(work: (manager: EntityManager | undefined) => Promise<void>): Promise<void>;
  /**
   * Runs `handler` inside every append of an event it handles (inline projections); throws
   * `InlineProjectionUnsupportedError` when the store cannot.
   */
  abstract addInlineHandler(handler: InlineAppendHandler): () => void;
}
