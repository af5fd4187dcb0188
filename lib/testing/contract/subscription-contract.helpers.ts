import assert from 'node:assert/strict';
import type { SubscriptionStore } from '../../core/subscription-store.js';

export type Body = readonly [string, (store: SubscriptionStore) => Promise<void>];

export const TTL = 30_000;
/** Short enough to wait out, long enough for a slow database round trip. */
export const SHORT_TTL = 300;

/** Asserts that the lease ends about `ttlMs` from now (the store may use the database's clock). */
export async function assertLease(
  store: SubscriptionStore,
  name: string,
  owner: string,
  ttlMs: number,
) {
  const row = await store.load(name);
  assert.equal(row?.leaseOwner, owner);
  const left = (row.leaseExpiresAt?.getTime() ?? 0) - Date.now();
  assert.ok(
    left > ttlMs - 5_000 && left <= ttlMs + 5_000,
    `lease ends in ${left} ms, not ~${ttlMs}`,
  );
}
