import { positionOf } from '../core/checkpoint.js';
import { EventStore } from '../core/event-store.js';
import type { LogCheckpoint } from '../core/event-store.types.js';
import { leaseHolderOf } from '../core/lease-holder.js';
import {
  SubscriptionStore,
  type SubscriptionRecord,
  type SubscriptionRunState,
} from '../core/subscription-store.js';
import { EventForwarders } from '../forwarding/event-forwarders.js';
import { FORWARDER_SUBSCRIPTION_PREFIX } from '../nest/instances-status.js';
import type { CliContext } from './cli-context.js';

/** One forwarder as the database knows it, as `forwarders status --json` prints it. */
export interface ForwarderReport {
  name: string;
  /** Its stored subscription: `forward:<name>`. */
  subscription: string;
  /** What its last runner stored; `never-ran` when it has no row yet. */
  state: SubscriptionRunState | 'never-ran';
  /** Configured in the module the CLI booted (a stored row of a removed forwarder is listed too). */
  configured: boolean;
  checkpoint: LogCheckpoint | undefined;
  position: number;
  headPosition: number;
  /** Events between its checkpoint and the head of the log (an estimate on PostgreSQL). */
  lag: number;
  /** The instance holding its lease now, and until when (undefined: nobody). */
  leaseOwner: string | undefined;
  leaseExpiresAt: Date | undefined;
  /** As stored when it last failed (a stall, the broker down, is not a failure: see README). */
  lastError: string | undefined;
  failedAt: Date | undefined;
  failedPosition: number | undefined;
}

/** Every forwarder configured in the application or stored in the database, by name. */
export async function forwarderReports(context: CliContext): Promise<ForwarderReport[]> {
  const store = await context.get(EventStore);
  const subscriptions = await context.get(SubscriptionStore);
  const [head, records, configured] = await Promise.all([
    store.headCheckpoint(),
    subscriptions.list(),
    configuredForwarders(context),
  ]);
  const stored = new Map(
    records
      .filter((r) => r.name.startsWith(FORWARDER_SUBSCRIPTION_PREFIX))
      .map((r) => [r.name.slice(FORWARDER_SUBSCRIPTION_PREFIX.length), r]),
  );
  const names = [...new Set([...configured, ...stored.keys()])].sort();
  const now = Date.now();
  return names.map((name) =>
    report(name, stored.get(name), configured.includes(name), positionOf(head), now),
  );
}

function report(
  name: string,
  record: SubscriptionRecord | undefined,
  configured: boolean,
  headPosition: number,
  now: number,
): ForwarderReport {
  const position = positionOf(record?.checkpoint);
  const leaseOwner = leaseHolderOf(record, now);
  return {
    name,
    subscription: `${FORWARDER_SUBSCRIPTION_PREFIX}${name}`,
    state: record?.state ?? 'never-ran',
    configured,
    checkpoint: record?.checkpoint,
    position,
    headPosition,
    lag: Math.max(0, headPosition - position),
    leaseOwner,
    leaseExpiresAt: leaseOwner === undefined ? undefined : record?.leaseExpiresAt,
    lastError: record?.lastError,
    failedAt: record?.failedAt,
    failedPosition: record?.failedPosition,
  };
}

/** The forwarders of the booted module; none when it does not import `EventForwardingModule`. */
async function configuredForwarders(context: CliContext): Promise<string[]> {
  try {
    return (await context.get(EventForwarders)).names();
  } catch {
    return []; // not registered: the application forwards nothing (stored rows are still shown)
  }
}
