import { randomUUID } from 'node:crypto';
import type { UnitOfWorkContext } from '../../core/unit-of-work.js';

/**
 * One behaviour of a port, runnable under any test runner: it resolves when the store behaves as
 * the contract says and rejects (a `node:assert` error) when it does not.
 *
 * ```ts
 * for (const c of subscriptionStoreContract(() => myStore)) it(c.name, c.run);
 * ```
 */
export interface ContractCase {
  name: string;
  // a property, not a method: `it(c.name, c.run)` passes it on without its object
  run: () => Promise<void>;
}

/**
 * Returns the store the cases run against. Called once per case; it may return the same store
 * every time: each case works under names of its own, so cases never see each other's rows.
 */
export type StoreFactory<S> = () => S | Promise<S>;

/** A name no other case (or earlier run) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/**
 * The transaction option of a port method, from the unit of work it runs in: the one place that
 * knows how a port names the transaction it joins.
 */
export function inTransaction(ctx: UnitOfWorkContext): { manager?: UnitOfWorkContext['manager'] } {
  return { manager: ctx.manager };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Builds the cases from `[name, body]` pairs, each body getting a fresh store from the factory. */
export function casesOf<S>(
  factory: StoreFactory<S>,
  bodies: ReadonlyArray<readonly [string, (store: S) => Promise<void>]>,
): ContractCase[] {
  return bodies.map(([name, body]) => ({ name, run: async () => body(await factory()) }));
}
