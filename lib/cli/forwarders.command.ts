import type { Command } from 'commander';
import type { CliContext } from './cli-context.js';
import { forwarderReports, type ForwarderReport } from './forwarder-reports.js';
import { renderTable } from './text-table.js';

const MAX_ERROR_WIDTH = 60;

/** `forwarders status`: where each forwarder to a broker stands, and who runs it. */
export function registerForwardersCommands(program: Command, context: CliContext): void {
  const forwarders = program
    .command('forwarders')
    .summary('inspect the forwarders that publish events to a broker')
    .description('Inspect the forwarders (EventForwardingModule) that publish events to a broker.');

  forwarders
    .command('status')
    .summary('state, position, lag, lease holder and last failure of each forwarder')
    .description(
      'List every forwarder (configured in the application, or stored in the database): its ' +
        'stored state, checkpoint position, the head of the log, the lag in events, which ' +
        'instance holds its lease (the one publishing), and its last failure. Read from the ' +
        'database: a broker outage (the forwarder "stalled", retrying) shows here as a lag that ' +
        'grows while the state stays running; the holding instance reports the stall itself ' +
        '(EventForwarders.status(), the health indicator, its log).',
    )
    .option('--json', 'print JSON (one object per forwarder) for scripts and monitoring')
    .action(async (options: { json?: boolean }) => {
      const reports = await forwarderReports(context);
      context.print(options.json ? JSON.stringify(reports, null, 2) : renderForwarders(reports));
    });
}

/**
 * ```
 * NAME  STATE    POSITION  HEAD  LAG  LEASE              LEASE UNTIL           LAST ERROR
 * bank  running       120   120    0  web-1:41:ab12cd34  2026-01-05T10:00:12Z  -
 * ```
 */
export function renderForwarders(reports: ForwarderReport[]): string {
  if (reports.length === 0) {
    return 'No forwarders: configure EventForwardingModule in the module the CLI boots.';
  }
  const header = ['NAME', 'STATE', 'POSITION', 'HEAD', 'LAG', 'LEASE', 'LEASE UNTIL', 'LAST ERROR'];
  const rows = reports.map((r) => [
    r.configured ? r.name : `${r.name} (not configured)`,
    r.state,
    String(r.position),
    String(r.headPosition),
    String(r.lag),
    r.leaseOwner ?? '-',
    r.leaseExpiresAt ? r.leaseExpiresAt.toISOString().replace(/\.\d+Z$/, 'Z') : '-',
    lastError(r),
  ]);
  return renderTable(header, rows, [false, false, true, true, true, false, false, false]);
}

function lastError(r: ForwarderReport): string {
  if (!r.lastError) return '-';
  const where = r.failedPosition === undefined ? '' : `at ${r.failedPosition}: `;
  const text = `${where}${r.lastError}`.replace(/\s+/g, ' ');
  return text.length > MAX_ERROR_WIDTH ? `${text.slice(0, MAX_ERROR_WIDTH - 1)}…` : text;
}
