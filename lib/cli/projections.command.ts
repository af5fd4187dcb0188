import type { Command } from 'commander';
import { ProjectionManager } from '../projection/projection-manager.js';
import { CliError, type CliContext } from './cli-context.js';
import { reportOf, statusOf, warnIfRunElsewhere } from './projection-reports.js';
import { renderStatusJson, renderStatusTable } from './status-table.js';
import { bucketIndex } from './cli-arguments.js';
import { registerPartitionCommands } from './partitions.command.js';
import { registerRebuildCommand, registerStartCommand } from './projection-replay.command.js';

/** `projections status | start | stop | reset | rebuild | delete`. */
export function registerProjectionsCommands(program: Command, context: CliContext): void {
  const projections = program
    .command('projections')
    .summary('inspect and control the projections (read models)')
    .description('Inspect and control the projections (read models) of the application.');

  registerStatusCommand(projections, context);
  registerStartCommand(projections, context);
  registerStopCommand(projections, context);
  registerResetCommand(projections, context);
  registerRebuildCommand(projections, context);
  registerDeleteCommand(projections, context);
  registerPartitionCommands(projections, context);

  projections.addHelpText('after', () => {
    const cli = program.name();
    return `
Examples:
  $ ${cli} projections status
  $ ${cli} projections status --json
  $ ${cli} projections rebuild order_summary
  $ ${cli} projections delete old_summary --yes
  $ ${cli} projections parked
  $ ${cli} projections retry order_summary --partition order-42

The CLI boots the application with workers: false, whatever its module's options say: no worker
starts by itself, and "start" and "rebuild" run only the projection they name, until they finish.`;
  });
}

/** `projections status`: what the database says of every projection. */
function registerStatusCommand(projections: Command, context: CliContext): void {
  projections
    .command('status')
    .summary('state, lag, lease and last error of each projection')
    .description(
      'List every projection: its mode, state, checkpoint position, the head of the log, the lag ' +
        'in events (an estimate on PostgreSQL), which process holds its lease (the one running ' +
        'it), and its last error.',
    )
    .option('--json', 'print JSON (one object per projection) for scripts and monitoring')
    .action(async (options: { json?: boolean }) => {
      const reports = await statusOf(context);
      context.print(options.json ? renderStatusJson(reports) : renderStatusTable(reports));
    });
}

/** `projections stop <name>`: only a worker of this process can be stopped. */
function registerStopCommand(projections: Command, context: CliContext): void {
  projections
    .command('stop <name>')
    .summary('stop a projection here; says which process runs it')
    .description(
      'Stop the projection in this process. The CLI cannot stop a worker of another process: ' +
        'when one holds the lease, it says which and exits 1.',
    )
    .action(async (name: string) => {
      const manager = await context.get(ProjectionManager);
      await manager.stop(name);
      const report = await reportOf(context, name);
      if (report?.leaseOwner !== undefined && !report.isLeaseOwner) {
        throw new CliError(
          `projection "${name}" runs in process ${report.leaseOwner} (lease until ` +
            `${report.leaseExpiresAt?.toISOString()}); the CLI stops only workers of its own ` +
            'process: stop it there (ProjectionManager.stop), or run that process with workers: false',
        );
      }
      context.print(
        `projection "${name}" is stopped: no process runs it (state ${report?.state}, ` +
          `position ${report?.position}, lag ${report?.lag})`,
      );
    });
}

/** `projections reset <name> [--partition i]`. */
function registerResetCommand(projections: Command, context: CliContext): void {
  projections
    .command('reset <name>')
    .summary('empty the read model; checkpoint back to the start')
    .description(
      'Empty the read model (its @ProjectionReset hook) and move its checkpoint back to the start ' +
        'of the log. It replays when a worker next runs it ("projections start", or the ' +
        "application's workers).",
    )
    .option('--partition <index>', 'partitioned projections: only this bucket', bucketIndex)
    .action(async (name: string, options: { partition?: number }) => {
      const manager = await context.get(ProjectionManager);
      const before = await reportOf(context, name);
      await manager.reset(name, { partition: options.partition });
      const which = options.partition === undefined ? '' : ` (partition ${options.partition})`;
      context.print(
        `projection "${name}"${which} reset: read model emptied, checkpoint at the start of the log`,
      );
      if (!warnIfRunElsewhere(context, before, 'it replays the log from the start there now')) {
        context.note(`nothing runs it now: "projections start ${name}" replays the log`);
      }
    });
}

/** `projections delete <name> --yes`. */
function registerDeleteCommand(projections: Command, context: CliContext): void {
  projections
    .command('delete <name>')
    .summary('drop the read model and checkpoint (needs --yes)')
    .description(
      'Drop the read model (its @ProjectionDelete hook) and forget the checkpoint. Needs --yes. ' +
        'Remove the projection from the application too, or its workers build it again from ' +
        'scratch.',
    )
    .option('--yes', 'confirm: the read model is dropped')
    .action(async (name: string, options: { yes?: boolean }) => {
      if (!options.yes) {
        throw new CliError(
          `not deleting projection "${name}" without --yes: its @ProjectionDelete hook drops the ` +
            'read model and its checkpoint is forgotten (a rebuild replays the whole log); run ' +
            `"projections delete ${name} --yes" to confirm`,
        );
      }
      const manager = await context.get(ProjectionManager);
      const report = await reportOf(context, name);
      if (report?.leaseOwner !== undefined && !report.isLeaseOwner) {
        throw new CliError(
          `projection "${name}" runs in process ${report.leaseOwner}; stop it there (or deploy ` +
            'the application without it) before deleting its read model',
        );
      }
      await manager.delete(name);
      context.print(`projection "${name}" deleted: read model dropped, checkpoint forgotten`);
    });
}
