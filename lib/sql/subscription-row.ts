import type { SubscriptionRecord, SubscriptionRunState } from '../core/subscription-store.js';

/** A stored subscription from a row selected with the dialect's `columns`. */
export function decodeSubscription(row: Record<string, unknown>): SubscriptionRecord {
  return {
    name: String(row.name),
    checkpoint: optionalText(row.checkpoint),
    state: row.state as SubscriptionRunState,
    projectionState: fromJson(row.projection_state),
    leaseOwner: optionalText(row.lease_owner),
    leaseExpiresAt: optionalDate(row.lease_expires_at),
    lastError: optionalText(row.last_error),
    failedPosition: row.failed_position == null ? undefined : Number(row.failed_position),
    failedCheckpoint: optionalText(row.failed_checkpoint),
    failedAt: optionalDate(row.failed_at),
    updatedAt: optionalDate(row.updated_at) ?? new Date(0),
  };
}

// Every dialect selects the state as JSON text, so a state that is itself a string stays unambiguous.
function fromJson(value: unknown): unknown {
  return typeof value === 'string' ? (JSON.parse(value) as unknown) : undefined;
}

/** Text columns; a number where a driver returns one (BIGINT). */
function optionalText(value: unknown): string | undefined {
  if (value == null) return undefined;
  if (typeof value === 'number' || typeof value === 'bigint') return value.toString();
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A Date from drivers that convert, ISO-8601 text from the dialects that select text. */
function optionalDate(value: unknown): Date | undefined {
  if (value == null) return undefined;
  return value instanceof Date ? value : new Date(value as string);
}
