import { renderTable } from './text-table.js';
import type { ProjectionStatus } from '../projection/projection-status.js';
import type { SubscriptionRecord, SubscriptionRunState } from '../core/subscription-store.js';
import { formatDuration } from './progress-bar.js';
import { partitionNotes } from './partition-notes.js';

/** A projection's status with who holds its lease, as `projections status --json` prints it. */
export interface ProjectionStatusReport extends ProjectionStatus {
  /** The run state stored in the database by whichever process ran the projection last. */
  storedState: SubscriptionRunState | undefined;
  /** The process holding the lease (the one running the projection), if the lease is current. */
  leaseOwner: string | undefined;
  /** When that lease ends unless its holder renews it (it does, while it runs). */
  leaseExpiresAt: Date | undefined;
}

/**
 * Joins the manager's status with the stored rows. The manager only knows this process's workers,
 * which in the CLI are idle: a projection whose lease another live process holds shows the state
 * that process stored (`running`, or `failed`), not this process's `stopped`.
 */
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
    const elsewhere = current && status.mode === 'async' && !status.isLeaseOwner;
    const state =
      elsewhere && status.state === 'stopped' && record.state === 'running'
        ? 'running'
        : status.state;
    return {
      ...status,
      state,
      storedState: record?.state,
      leaseOwner: current ? record.leaseOwner : undefined,
      leaseExpiresAt: current ? record.leaseExpiresAt : undefined,
    };
  });
}

const MAX_ERROR_WIDTH = 60;

/**
 * A table for people:
 * ```
 * NAME      MODE   STATE    POSITION  HEAD  LAG  LEASE         LEASE UNTIL           LAST ERROR
 * balances  async  running        20    20    0  web-1:41:ab12  2026-01-05T10:00:12Z  -
 * ```
 * STATE is what the database says when another process runs the projection. LEASE is
 * `this process`, the id of the process that holds it (`host:pid:random`), or `-` when nobody runs
 * the projection; LEASE UNTIL is when that lease ends unless renewed (UTC). Positions are global log positions; on PostgreSQL the lag is an
 * estimate (positions can have gaps).
 */
export function renderStatusTable(reports: ProjectionStatusReport[]): string {
  if (reports.length === 0) {
    return 'No projections: register @Projection providers in the module the CLI boots.\n';
  }
  const header = [
    'NAME',
    'MODE',
    'STATE',
    'POSITION',
    'HEAD',
    'LAG',
    'LEASE',
    'LEASE UNTIL',
    'LAST ERROR',
  ];
  const numeric = [false, false, false, true, true, true, false, false, false];
  const rows = reports.map((r) => [
    r.name,
    r.mode,
    r.state,
    String(r.position),
    String(r.headPosition),
    String(r.lag),
    r.mode === 'inline'
      ? 'n/a'
      : r.partitions
        ? 'partitioned (below)'
        : r.isLeaseOwner
          ? 'this process'
          : (r.leaseOwner ?? '-'),
    r.mode === 'inline' || !r.leaseExpiresAt
      ? '-'
      : r.leaseExpiresAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    lastError(r),
  ]);
  const notes = [...heldBack(reports), ...partitionNotes(reports)];
  return [renderTable(header, rows, numeric), ...notes].join('\n') + '\n';
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
