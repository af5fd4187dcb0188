import { renderTable } from './text-table.js';
import type { ProjectionStatus } from '../projection/projection-status.js';
import type { SubscriptionRecord } from '../subscription/subscription-store.js';
import { formatDuration } from './progress-bar.js';

/** A projection's status with who holds its lease, as `projections status --json` prints it. */
export interface ProjectionStatusReport extends ProjectionStatus {
  /** The process holding the lease (the one running the projection), if the lease is current. */
  leaseOwner: string | undefined;
  leaseExpiresAt: Date | undefined;
}

/** Joins the manager's status with the stored leases (the manager only knows this process's). */
export function statusReports(
  statuses: ProjectionStatus[],
  records: SubscriptionRecord[],
  now = new Date(),
): ProjectionStatusReport[] {
  const byName = new Map(records.map((record) => [record.name, record]));
  return statuses.map((status) => {
    const record = byName.get(status.name);
    const current =
      record?.leaseOwner !== undefined &&
      record.leaseExpiresAt !== undefined &&
      record.leaseExpiresAt.getTime() > now.getTime();
    return {
      ...status,
      leaseOwner: current ? record.leaseOwner : undefined,
      leaseExpiresAt: current ? record.leaseExpiresAt : undefined,
    };
  });
}

const MAX_ERROR_WIDTH = 60;

/**
 * A table for people:
 * ```
 * NAME      MODE   STATE    POSITION  HEAD  LAG  LEASE         LAST ERROR
 * balances  async  stopped         0    20   20  -             -
 * ```
 * LEASE is `this process`, the id of the process that holds it (`host:pid:random`), or `-` when
 * nobody runs the projection. Positions are global log positions; on PostgreSQL the lag is an
 * estimate (positions can have gaps).
 */
export function renderStatusTable(reports: ProjectionStatusReport[]): string {
  if (reports.length === 0) {
    return 'No projections: register @Projection providers in the module the CLI boots.\n';
  }
  const header = ['NAME', 'MODE', 'STATE', 'POSITION', 'HEAD', 'LAG', 'LEASE', 'LAST ERROR'];
  const numeric = [false, false, false, true, true, true, false, false];
  const rows = reports.map((r) => [
    r.name,
    r.mode,
    r.state,
    String(r.position),
    String(r.headPosition),
    String(r.lag),
    r.mode === 'inline' ? 'n/a' : r.isLeaseOwner ? 'this process' : (r.leaseOwner ?? '-'),
    lastError(r),
  ]);
  return [renderTable(header, rows, numeric), ...heldBack(reports)].join('\n') + '\n';
}

/** A note when an open transaction has held every reader of the log back >= 1 s. */
function heldBack(reports: ProjectionStatusReport[]): string[] {
  const ms = Math.max(0, ...reports.map((r) => r.heldBackMs ?? 0));
  if (ms < 1_000) return [];
  return [
    '',
    `note: an open write transaction of this database has held every reader of the log back for ` +
      `${formatDuration(ms)} (nothing is lost, only delayed; the application log names it)`,
  ];
}

/** Machine-readable status: one object per projection (dates as ISO strings). */
export function renderStatusJson(reports: ProjectionStatusReport[]): string {
  return JSON.stringify(reports, null, 2) + '\n';
}

function lastError(report: ProjectionStatusReport): string {
  if (!report.lastError) return '-';
  const where = report.failedPosition === undefined ? '' : `at ${report.failedPosition}: `;
  const text = `${where}${report.lastError}`.replace(/\s+/g, ' ');
  return text.length > MAX_ERROR_WIDTH ? `${text.slice(0, MAX_ERROR_WIDTH - 1)}…` : text;
}
