import type { Command } from 'commander';
import {
  InstancesStatus,
  type InstancesReport,
  type LeasedWorkerKind,
  type WorkerLease,
} from '../nest/instances-status.js';
import type { CliContext } from './cli-context.js';
import { formatDuration } from './progress-bar.js';
import { renderTable } from './text-table.js';

/** `instances`: which instance of the application holds which worker. */
export function registerInstancesCommands(program: Command, context: CliContext): void {
  program
    .command('instances')
    .summary('the live instances and the leases (workers) each holds')
    .description(
      'List the instances of the application that run workers (their heartbeat in the database: ' +
        'live, or gone when it stopped beating) and, for each, the projections, sagas and ' +
        'forwarders whose lease it holds: the one instance running each of them. Read from the ' +
        'database only: this command is not one of the instances.',
    )
    .option('--json', 'print JSON for scripts and monitoring')
    .action(async (options: { json?: boolean }) => {
      const report = await (await context.get(InstancesStatus)).report();
      context.print(
        options.json ? JSON.stringify(report, null, 2) : renderInstances(report, Date.now()),
      );
    });
}

const COLUMNS: { kind: LeasedWorkerKind; header: string }[] = [
  { kind: 'projection', header: 'PROJECTIONS' },
  { kind: 'saga', header: 'SAGAS' },
  { kind: 'forwarder', header: 'FORWARDERS' },
  { kind: 'scheduler', header: 'SCHEDULER' },
];

/**
 * One line per instance, so that `grep <instance>` shows all it holds:
 * ```
 * INSTANCE           STATE  HEARTBEAT  LEASES  PROJECTIONS     SAGAS     FORWARDERS  SCHEDULER
 * web-1:41:ab12cd34  live   1s ago          3  balances        transfer  bank        -
 * web-2:42:ef56ab78  live   2s ago          2  audit, ledger   -         -           $scheduler
 * ```
 * followed by notes on gone instances (when their leases expire) and unheld workers.
 */
export function renderInstances(report: InstancesReport, now: number): string {
  const kinds = COLUMNS.filter(
    (c) =>
      c.kind !== 'scheduler' ||
      report.instances.some((i) => i.leases.some((l) => l.kind === 'scheduler')),
  );
  const header = ['INSTANCE', 'STATE', 'HEARTBEAT', 'LEASES', ...kinds.map((c) => c.header)];
  const rows = report.instances.map((i) => [
    i.instanceId,
    i.state,
    i.heartbeatAgeMs === undefined ? '-' : `${formatDuration(i.heartbeatAgeMs)} ago`,
    String(i.leases.length),
    ...kinds.map((c) => names(i.leases.filter((l) => l.kind === c.kind))),
  ]);
  const lines =
    rows.length === 0
      ? ['No instance runs workers now (no heartbeat, no lease held).']
      : [renderTable(header, rows, [false, false, false, true])];
  for (const gone of report.instances.filter((i) => i.state === 'gone' && i.leases.length > 0)) {
    const until = Math.max(...gone.leases.map((l) => l.expiresAt?.getTime() ?? now));
    lines.push(
      `note: ${gone.instanceId} stopped beating; its leases expire in ` +
        `${formatDuration(Math.max(0, until - now))} at the latest, then the live instances take them`,
    );
  }
  if (report.unheld.length > 0) {
    const list = report.unheld.map((l) => `${l.subscription} (${l.state})`).join(', ');
    lines.push(`not held by any instance now: ${list}`);
  }
  return lines.join('\n');
}

function names(leases: WorkerLease[]): string {
  return leases.length === 0 ? '-' : leases.map((l) => l.name).join(', ');
}
