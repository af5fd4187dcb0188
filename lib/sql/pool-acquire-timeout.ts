import type { DataSource } from 'typeorm';
import { dialectFor } from './dialects/dialect-for.js';

/**
 * Makes waiting for a pooled connection end after `timeoutMs` with `ConnectionAcquireTimeoutError`
 * instead of hanging: a starved pool then fails requests fast and the application can shut down.
 * How depends on the driver's pool (see the dialects' `guardPoolAcquire`); SQLite has no pool.
 */
export function guardPoolAcquire(dataSource: DataSource, timeoutMs: number): void {
  dialectFor(dataSource.options.type).guardPoolAcquire?.(dataSource, timeoutMs);
}
