import 'reflect-metadata';
import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import { InvalidStreamIdError } from '../core/errors/invalid-stream-id.error.js';
import { hasControlCharacters } from '../core/stream-id.js';
import { AGGREGATE_METADATA } from './aggregate.constants.js';
import { UndecoratedAggregateError } from '../core/errors/undecorated-aggregate.error.js';

/** The options of `@Aggregate`. */
export interface AggregateOptions {
  /**
   * Take a snapshot each time the stream passes a multiple of this many events, so loading reads
   * the latest snapshot and only the events after it. Omit for no snapshots.
   */
  snapshotEvery?: number;
  /**
   * The version of the snapshot's shape. Raise it when `toSnapshot()` changes: snapshots of another
   * revision are ignored and the aggregate is rebuilt from its events (then snapshotted anew).
   * @default 1
   */
  snapshotRevision?: number;
}

export interface AggregateMetadata {
  /** The stream category: the aggregate with id `42` lives in stream `<category>-42`. */
  category: string;
  snapshotEvery?: number;
  snapshotRevision: number;
}

/**
 * Marks an event-sourced aggregate and names its stream category. The category must not contain a
 * dash: a stream's category is what comes before its first dash (`order` for `order-42`).
 *
 * @example @Aggregate('order', { snapshotEvery: 100 }) export class Order extends EventSourcedAggregate {}
 */
export function Aggregate(category: string, options: AggregateOptions = {}): ClassDecorator {
  return (target) => {
    const where = `@Aggregate on ${target.name}`;
    if (typeof category !== 'string' || category.length === 0 || hasControlCharacters(category)) {
      throw new InvalidOptionsError(where, 'the category must be a non-empty name such as "order"');
    }
    if (category.includes('-')) {
      throw new InvalidOptionsError(
        where,
        `the category "${category}" contains a dash; streams are "<category>-<id>" and the category ` +
          `ends at the first dash, so use a name without one, such as "${category.replaceAll('-', '_')}"`,
      );
    }
    const { snapshotEvery, snapshotRevision = 1 } = options;
    if (snapshotEvery !== undefined && !isPositiveInteger(snapshotEvery)) {
      throw new InvalidOptionsError(
        where,
        `snapshotEvery ${String(snapshotEvery)} must be a whole number >= 1 (or omitted for no snapshots)`,
      );
    }
    if (!isPositiveInteger(snapshotRevision)) {
      throw new InvalidOptionsError(
        where,
        `snapshotRevision ${String(snapshotRevision)} must be a whole number >= 1`,
      );
    }
    const metadata: AggregateMetadata = { category, snapshotEvery, snapshotRevision };
    Reflect.defineMetadata(AGGREGATE_METADATA, metadata, target);
  };
}

/**
 * The `@Aggregate` metadata of a class or of a subclass of a decorated class (such as the one
 * `EventPublisher.mergeClassContext` makes), or `undefined`.
 */
export function getAggregateMetadata(cls: object): AggregateMetadata | undefined {
  return Reflect.getMetadata(AGGREGATE_METADATA, cls) as AggregateMetadata | undefined;
}

/**
 * The stream of the aggregate with this id: `streamIdFor(Order, '42')` is `order-42`.
 * @throws UndecoratedAggregateError when the class has no `@Aggregate`
 * @throws InvalidStreamIdError when the id is empty
 */
export function streamIdFor(cls: abstract new (...args: never[]) => object, id: string): string {
  const metadata = getAggregateMetadata(cls);
  if (metadata === undefined) throw new UndecoratedAggregateError(cls.name);
  if (typeof id !== 'string' || id.length === 0) {
    throw new InvalidStreamIdError(
      `${metadata.category}-${String(id)}`,
      `the id of ${cls.name} must be a non-empty string`,
    );
  }
  return `${metadata.category}-${id}`;
}

/**
 * Whether a save that moved the stream from version `before` to `after` passed a multiple of
 * `snapshotEvery` (false when the aggregate takes no snapshots).
 */
export function isSnapshotDue(metadata: AggregateMetadata, before: number, after: number): boolean {
  const every = metadata.snapshotEvery;
  if (every === undefined || after <= before) return false;
  return Math.floor(after / every) > Math.floor(before / every);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}
