import { ProjectionManager } from '../projection/projection-manager.js';
import { SubscriptionStore } from '../core/subscription-store.js';
import type { CliContext } from './cli-context.js';
import { statusReports, type ProjectionStatusReport } from './status-table.js';

/** Every projection's status, with the stored leases (which process runs each). */
export async function statusOf(context: CliContext): Promise<ProjectionStatusReport[]> {
  const manager = await context.get(ProjectionManager);
  const store = await context.get(SubscriptionStore);
  const [statuses, records] = await Promise.all([manager.status(), store.list()]);
  return statusReports(statuses, records);
}

/** The status of one projection (undefined for an unknown name: the manager explains that). */
export async function reportOf(
  context: CliContext,
  name: string,
): Promise<ProjectionStatusReport | undefined> {
  return (await statusOf(context)).find((report) => report.name === name);
}

/** Notes that another process holds the lease (it does the work); true if so. */
export function warnIfRunElsewhere(
  context: CliContext,
  report: ProjectionStatusReport | undefined,
  consequence: string,
): boolean {
  if (report?.leaseOwner === undefined || report.isLeaseOwner) return false;
  context.note(
    `note: process ${report.leaseOwner} holds the lease of "${report.name}": ${consequence}`,
  );
  return true;
}
