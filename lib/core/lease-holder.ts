import type { SubscriptionRecord } from './subscription-store.js';

/**
 * The owner (an instance id) holding a stored lease now, or undefined when nobody does: no owner,
 * or the lease has expired (its holder died or was cut off; the next runner to ask takes it).
 * Compared with this process's clock: the store writes expiries with the database's clock, so
 * the answer can be off by the clock difference, never by more.
 */
export function leaseHolderOf(
  record: SubscriptionRecord | undefined,
  now = Date.now(),
): string | undefined {
  const current = record?.leaseExpiresAt !== undefined && record.leaseExpiresAt.getTime() > now;
  return current ? record.leaseOwner : undefined;
}
